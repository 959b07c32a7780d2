// SPDX-License-Identifier: Apache-2.0
// Security events: catalogue, the three formats (golden strings at a fixed time, escaping of
// hostile text) and the sinks (syslog over real loopback sockets, fan-out, memory, stream).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "mmssec/core/clock.hpp"
#include "mmssec/events/event.hpp"

namespace mmssec::events {
namespace {

using namespace std::chrono_literals;

constexpr auto kLastId = Id::tls_plaintext;

/// 2026-11-23T18:04:05.123Z
std::chrono::system_clock::time_point fixed_time() {
  using namespace std::chrono;
  return sys_days{year{2026} / 11 / 23} + 18h + 4min + 5s + 123ms;
}

Event revoked_event() {
  Event e = make_event(Id::tls_cert_revoked, "certificate revoked (serial 0A)", "127.0.0.1:40022", 3);
  e.time = fixed_time();
  e.fields = {{"subject", "CN=client"}, {"serial", "0A"}};
  return e;
}

// ---- a small JSON validity check (RFC 8259 grammar; strings must be valid UTF-8)

class JsonChecker {
 public:
  explicit JsonChecker(std::string_view s) : s_(s) {}
  bool valid() { return value(0) && (ws(), i_ == s_.size()); }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    ws();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool value(int depth) {
    ws();
    if (depth > 32 || i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') return container(depth, '}', true);
    if (c == '[') return container(depth, ']', false);
    if (c == '"') return string();
    for (std::string_view lit : {"true", "false", "null"}) {
      if (s_.substr(i_, lit.size()) == lit) return i_ += lit.size(), true;
    }
    return number();
  }
  bool container(int depth, char close, bool object) {
    ++i_;
    if (eat(close)) return true;
    do {
      if (object && !(ws(), string() && eat(':'))) return false;
      if (!value(depth + 1)) return false;
    } while (eat(','));
    return eat(close);
  }
  bool number() {
    const std::size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    return i_ > start && std::isdigit(static_cast<unsigned char>(s_[i_ - 1]));
  }
  bool string() {
    if (i_ >= s_.size() || s_[i_] != '"') return false;
    for (++i_; i_ < s_.size();) {
      const auto b = static_cast<unsigned char>(s_[i_]);
      if (b == '"') return ++i_, true;
      if (b < 0x20) return false;
      if (b == '\\') {
        if (++i_ >= s_.size()) return false;
        const char e = s_[i_++];
        if (e == 'u') {
          if (s_.size() - i_ < 4) return false;
          for (int k = 0; k < 4; ++k) {
            if (!std::isxdigit(static_cast<unsigned char>(s_[i_++]))) return false;
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
        continue;
      }
      if (!utf8(b)) return false;
    }
    return false;
  }
  bool utf8(unsigned b) {
    std::size_t n = b < 0x80                 ? 1
                    : b >= 0xC2 && b <= 0xDF ? 2
                    : b >= 0xE0 && b <= 0xEF ? 3
                    : b >= 0xF0 && b <= 0xF4 ? 4
                                             : 0;
    if (n == 0 || s_.size() - i_ < n) return false;
    std::uint32_t cp = n == 1 ? b : b & (0x7Fu >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s_[i_ + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    const std::uint32_t min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i_ += n;
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

bool valid_json(std::string_view s) { return JsonChecker(s).valid(); }

// ---- catalogue

TEST(EventsCatalogue, EveryIdHasExactlyOneRowInOrder) {
  const auto rows = catalogue();
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kLastId));
  for (std::uint16_t n = 1; n <= static_cast<std::uint16_t>(kLastId); ++n) {
    const Descriptor& d = describe(static_cast<Id>(n));
    EXPECT_EQ(d.id, static_cast<Id>(n));
    EXPECT_EQ(&d, &rows[n - 1U]);
    EXPECT_FALSE(d.summary.empty()) << d.mnemonic;
  }
}

TEST(EventsCatalogue, MnemonicsAndCodesAreUniqueAndWellFormed) {
  std::set<std::string_view> mnemonics, codes;
  for (const Descriptor& d : catalogue()) {
    EXPECT_TRUE(mnemonics.insert(d.mnemonic).second) << d.mnemonic;
    EXPECT_TRUE(codes.insert(d.code).second) << d.code;
    // [DECISION] group 15 (OSI environment), n = the Id's value.
    EXPECT_EQ(d.code, "IEC62351-4:15." + std::to_string(static_cast<int>(d.id)));
    EXPECT_TRUE(d.mnemonic.starts_with("TLS_")) << d.mnemonic;
    EXPECT_LE(d.mnemonic.size(), 32U) << "MSGID limit of RFC 5424";
    EXPECT_EQ(d.mnemonic.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_"), std::string_view::npos);
  }
}

TEST(EventsCatalogue, ProfileMnemonicsAndSeverities) {
  EXPECT_EQ(describe(Id::tls_weak_version).mnemonic, "TLS_WEAK_VERSION");
  EXPECT_EQ(describe(Id::tls_version_change).mnemonic, "TLS_VERSION_CHANGE");
  EXPECT_EQ(describe(Id::tls_no_reneg).mnemonic, "TLS_NO_RENEG");
  EXPECT_EQ(describe(Id::tls_no_crl).mnemonic, "TLS_NO_CRL");
  EXPECT_EQ(describe(Id::tls_established).severity, Severity::info);
  EXPECT_EQ(describe(Id::tls_weak_version).severity, Severity::warning);
  EXPECT_EQ(describe(Id::tls_no_crl).severity, Severity::warning);
  EXPECT_EQ(describe(Id::tls_cert_revoked).severity, Severity::alarm);
  EXPECT_EQ(describe(Id::tls_plaintext).severity, Severity::warning);
  EXPECT_EQ(describe(static_cast<Id>(0)).mnemonic, "UNKNOWN");
  EXPECT_EQ(describe(static_cast<Id>(999)).mnemonic, "UNKNOWN");
}

TEST(EventsCatalogue, MakeEventTakesSeverityFromCatalogueAndTimeNow) {
  const auto before = std::chrono::system_clock::now();
  const Event e = make_event(Id::tls_no_crl, "no CRL", "10.0.0.1:1", 7);
  EXPECT_EQ(e.severity, Severity::warning);
  EXPECT_GE(e.time, before);
  EXPECT_LE(e.time, std::chrono::system_clock::now());
  EXPECT_EQ(e.peer, "10.0.0.1:1");
  EXPECT_EQ(e.connection, 7U);
  EXPECT_EQ(severity_name(Severity::alarm), "alarm");
  EXPECT_EQ(parse_format("json"), Format::json);
  EXPECT_EQ(parse_format("text"), Format::text);
  EXPECT_FALSE(parse_format("xml"));
}

// ---- text

TEST(EventsFormat, TextGolden) {
  EXPECT_EQ(format_text(revoked_event()),
            "2026-11-23T18:04:05.123Z ALARM TLS_CERT_REVOKED [IEC62351-4:15.12] peer=127.0.0.1:40022 conn=3: "
            "certificate revoked (serial 0A) (subject=CN=client, serial=0A)");
  Event bare;
  bare.id = Id::tls_plaintext;
  bare.severity = Severity::warning;
  bare.time = fixed_time();
  EXPECT_EQ(format_text(bare),
            "2026-11-23T18:04:05.123Z WARNING TLS_PLAINTEXT [IEC62351-4:15.25]: endpoint runs without TLS");
}

TEST(EventsFormat, TextKeepsOneLineWhateverTheInput) {
  Event e = revoked_event();
  e.peer = "a\nb";
  e.detail = std::string("x\r\n\t\\y\x01\x7f\xff\xc3(\xc2\x9b") + "é";
  e.fields = {{"k\n", "v\x1b[31m"}};
  EXPECT_EQ(format_text(e),
            "2026-11-23T18:04:05.123Z ALARM TLS_CERT_REVOKED [IEC62351-4:15.12] peer=a\\nb conn=3: "
            "x\\r\\n\\t\\\\y\\x01\\x7f\\xff\\xc3(\\xc2\\x9b\xc3\xa9 (k\\n=v\\x1b[31m)");
}

// ---- JSON

TEST(EventsFormat, JsonGolden) {
  const std::string j = format_json(revoked_event());
  EXPECT_EQ(j,
            R"({"time":"2026-11-23T18:04:05.123Z","severity":"alarm","id":"IEC62351-4:15.12",)"
            R"("mnemonic":"TLS_CERT_REVOKED","summary":"peer certificate revoked","peer":"127.0.0.1:40022",)"
            R"j("connection":3,"detail":"certificate revoked (serial 0A)",)j"
            R"("fields":{"subject":"CN=client","serial":"0A"}})");
  EXPECT_TRUE(valid_json(j));
}

TEST(EventsFormat, JsonEscapesControlCharactersQuotesAndInvalidUtf8) {
  Event e;
  e.time = fixed_time();
  e.detail = std::string("q\"b\\n\n\x01\x1f\x7f") + "\xc2\x85" + "é€😀";
  e.peer = std::string("\xff\xc3(\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82");  // all invalid
  e.fields = {{"s\"k", "\t"}};
  const std::string j = format_json(e);
  EXPECT_NE(j.find(R"("detail":"q\"b\\n\u000a\u0001\u001f\u007f\u0085é€😀")"), std::string::npos) << j;
  std::string peer = R"("peer":")";
  const auto fffd = [&](int n) {
    for (int i = 0; i < n; ++i) peer += "\xEF\xBF\xBD";
  };
  fffd(2);  // FF, C3 without continuation
  peer += '(';
  fffd(11);  // overlong C0 AF, surrogate ED A0 80, F4 90 80 80 above U+10FFFF, truncated E2 82
  EXPECT_NE(j.find(peer + '"'), std::string::npos) << j;
  EXPECT_NE(j.find(R"("fields":{"s\"k":"\u0009"})"), std::string::npos) << j;
  EXPECT_TRUE(valid_json(j)) << j;
}

TEST(EventsFormat, JsonIsValidForEveryByteAndRandomInput) {
  Event e;
  for (int b = 0; b < 256; ++b) {
    e.detail.assign(1, static_cast<char>(b));
    ASSERT_TRUE(valid_json(format_json(e))) << b;
  }
  DeterministicRandom rng(42);
  for (int round = 0; round < 2000; ++round) {
    std::uint8_t buf[24];
    rng.fill(buf);
    e.detail.assign(reinterpret_cast<const char*>(buf), sizeof buf);
    e.fields = {{e.detail.substr(0, 5), e.detail.substr(5)}};
    const std::string j = format_json(e);
    ASSERT_TRUE(valid_json(j)) << j;
    ASSERT_EQ(format_text(e).find('\n'), std::string::npos);
  }
}

TEST(EventsFormat, JsonCheckerRejectsBrokenJson) {
  EXPECT_TRUE(valid_json(R"({"a":[1,-2,"x\u00e9"],"b":{}})"));
  EXPECT_FALSE(valid_json("{\"a\":\"\x01\"}"));
  EXPECT_FALSE(valid_json("{\"a\":\"\xff\"}"));
  EXPECT_FALSE(valid_json(R"({"a":"\x"})"));
  EXPECT_FALSE(valid_json(R"({"a":1)"));
}

// ---- syslog

TEST(EventsFormat, SyslogGolden) {
  SyslogOptions o;
  o.hostname = "ied1";
  o.procid = "4242";
  EXPECT_EQ(format_syslog(revoked_event(), o),
            R"(<82>1 2026-11-23T18:04:05.123Z ied1 mmssec 4242 TLS_CERT_REVOKED [mmssec@32473 )"
            R"(id="IEC62351-4:15.12" severity="alarm" peer="127.0.0.1:40022" connection="3" )"
            R"(subject="CN=client" serial="0A"] certificate revoked (serial 0A))");
  Event bare;
  bare.time = fixed_time();
  EXPECT_EQ(format_syslog(bare, SyslogOptions{}),
            R"(<86>1 2026-11-23T18:04:05.123Z - mmssec - TLS_ESTABLISHED [mmssec@32473 id="IEC62351-4:15.1" )"
            R"(severity="info"] TLS session established)");
}

TEST(EventsFormat, SyslogPriority) {
  Event e;
  SyslogOptions o;
  const auto pri = [&](Severity s, int facility) {
    e.severity = s;
    o.facility = facility;
    const std::string m = format_syslog(e, o);
    return m.substr(0, m.find('>') + 1);
  };
  EXPECT_EQ(pri(Severity::alarm, 10), "<82>");
  EXPECT_EQ(pri(Severity::warning, 10), "<84>");
  EXPECT_EQ(pri(Severity::info, 10), "<86>");
  EXPECT_EQ(pri(Severity::warning, 4), "<36>");  // auth
  EXPECT_EQ(pri(Severity::alarm, 0), "<2>");
  EXPECT_EQ(pri(Severity::info, 23), "<190>");  // local7
  EXPECT_EQ(pri(Severity::info, 99), "<190>");  // clamped
  EXPECT_EQ(pri(Severity::alarm, -1), "<2>");
}

TEST(EventsFormat, SyslogEscapesParamValuesAndSanitisesNames) {
  Event e;
  e.time = fixed_time();
  e.detail = "plain ascii";
  e.fields = {{"a b=c]\"d", R"(x"y\z]w)"}, {std::string(40, 'n'), "\n"}, {"", "é"}};
  SyslogOptions o;
  o.hostname = "host name";
  const std::string m = format_syslog(e, o);
  EXPECT_NE(m.find(R"( a_b_c__d="x\"y\\z\]w")"), std::string::npos) << m;
  EXPECT_NE(m.find(" " + std::string(32, 'n') + "=\"\xEF\xBF\xBD\""), std::string::npos) << m;
  EXPECT_NE(m.find(" _=\"é\"]"), std::string::npos) << m;
  EXPECT_NE(m.find(" host_name mmssec "), std::string::npos) << m;
  EXPECT_TRUE(m.ends_with("] plain ascii")) << "ASCII MSG goes without BOM";

  e.detail = "sujet é\nfin\xff";
  EXPECT_TRUE(
      format_syslog(e, o).ends_with("] \xEF\xBB\xBFsujet é\xEF\xBF\xBD"
                                    "fin\xEF\xBF\xBD"));
}

// ---- sinks

SyslogSink::Target unix_target(std::string path) {
  SyslogSink::Target t;
  t.unix_path = std::move(path);
  return t;
}

SyslogSink::Target udp_target(std::string host, std::uint16_t port) {
  SyslogSink::Target t;
  t.udp_host = std::move(host);
  t.udp_port = port;
  return t;
}

/// A private temporary directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mmssec-events-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A bound datagram socket that receives what a sink sends.
class Receiver {
 public:
  explicit Receiver(int family) : fd_(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~Receiver() {
    if (fd_ >= 0) ::close(fd_);
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  [[nodiscard]] int fd() const { return fd_; }
  /// One datagram, or "" after 5 s.
  std::string receive() const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return {};
    char buf[8192];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  int fd_;
};

TEST(EventsSyslogSink, UnixDatagramSocket) {
  const TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = (dir.path() / "log").string();
  Receiver rx(AF_UNIX);
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(rx.fd(), reinterpret_cast<const sockaddr*>(&un), sizeof un), 0) << std::strerror(errno);

  SyslogOptions o;
  o.hostname = "ied1";
  auto sink = SyslogSink::open(unix_target(path), o);
  ASSERT_TRUE(sink) << sink.error().describe();
  const Event e = revoked_event();
  (*sink)->emit(e);
  EXPECT_EQ(rx.receive(), format_syslog(e, o));
  EXPECT_EQ((*sink)->sent(), 1U);
  EXPECT_EQ((*sink)->dropped(), 0U);
}

TEST(EventsSyslogSink, UdpLoopback) {
  Receiver rx(AF_INET);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(rx.fd(), reinterpret_cast<const sockaddr*>(&in), sizeof in), 0);
  socklen_t len = sizeof in;
  ASSERT_EQ(::getsockname(rx.fd(), reinterpret_cast<sockaddr*>(&in), &len), 0);
  const auto port = ntohs(in.sin_port);

  auto target = SyslogSink::parse_target("127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(target);
  EXPECT_EQ(target->udp_host, "127.0.0.1");
  EXPECT_EQ(target->udp_port, port);
  auto sink = SyslogSink::open(*target);
  ASSERT_TRUE(sink) << sink.error().describe();
  Event e = revoked_event();
  e.detail = "über";
  (*sink)->emit(e);
  EXPECT_EQ(rx.receive(), format_syslog(e, SyslogOptions{}));
  EXPECT_EQ((*sink)->sent(), 1U);
}

TEST(EventsSyslogSink, UdpLoopbackIpv6) {
  Receiver rx(AF_INET6);
  sockaddr_in6 in{};
  in.sin6_family = AF_INET6;
  in.sin6_addr = in6addr_loopback;
  if (rx.fd() < 0 || ::bind(rx.fd(), reinterpret_cast<const sockaddr*>(&in), sizeof in) != 0) {
    GTEST_SKIP() << "no IPv6 loopback";
  }
  socklen_t len = sizeof in;
  ASSERT_EQ(::getsockname(rx.fd(), reinterpret_cast<sockaddr*>(&in), &len), 0);
  auto sink = SyslogSink::open(udp_target("[::1]", ntohs(in.sin6_port)));
  ASSERT_TRUE(sink) << sink.error().describe();
  (*sink)->emit(revoked_event());
  EXPECT_EQ(rx.receive(), format_syslog(revoked_event(), SyslogOptions{}));
}

TEST(EventsSyslogSink, MissingUnixPathCountsDrops) {
  const TempDir dir;
  auto sink = SyslogSink::open(unix_target((dir.path() / "nobody-listens").string()));
  ASSERT_TRUE(sink) << "open does not need the receiver";
  (*sink)->emit(revoked_event());
  (*sink)->emit(revoked_event());
  EXPECT_EQ((*sink)->dropped(), 2U);
  EXPECT_EQ((*sink)->sent(), 0U);
}

TEST(EventsSyslogSink, BadTargetsAreTypedErrors) {
  const auto fails = [](const SyslogSink::Target& t) {
    auto r = SyslogSink::open(t);
    return !r && r.error().code == Errc::invalid_target;
  };
  EXPECT_TRUE(fails(udp_target("localhost", 514)));
  EXPECT_TRUE(fails(udp_target("256.0.0.1", 514)));
  EXPECT_TRUE(fails(udp_target("127.0.0.1", 0)));
  auto both = udp_target("127.0.0.1", 514);
  both.unix_path = "/dev/log";
  EXPECT_TRUE(fails(both));
  EXPECT_TRUE(fails(unix_target("/" + std::string(200, 'x'))));
  auto r = SyslogSink::open(udp_target("example.org", 514));
  ASSERT_FALSE(r);
  EXPECT_STREQ(r.error().code.category().name(), "events");
  EXPECT_EQ(r.error().code.message(), "invalid syslog target");

  for (std::string_view bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "::1:514",
                               "host:514", "[::1]x:514", "1.2.3.4:51a"}) {
    EXPECT_FALSE(SyslogSink::parse_target(bad)) << bad;
  }
  auto v6 = SyslogSink::parse_target("[::1]:6514");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->udp_host, "[::1]");
  EXPECT_EQ(v6->udp_port, 6514);
  auto path = SyslogSink::parse_target("/dev/log");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->unix_path, "/dev/log");
}

TEST(EventsFanoutSink, FiltersBySeverityAndSkipsNullSinks) {
  auto a = std::make_shared<MemorySink>();
  auto b = std::make_shared<MemorySink>();
  FanoutSink all({a, nullptr, b});
  FanoutSink warnings({b}, Severity::warning);
  for (const Id id : {Id::tls_established, Id::tls_no_crl, Id::tls_cert_expired}) {
    all.emit(make_event(id));
    warnings.emit(make_event(id));
  }
  EXPECT_EQ(a->events().size(), 3U);
  EXPECT_EQ(b->events().size(), 5U);
  EXPECT_EQ(b->count(Id::tls_established), 1U);
  EXPECT_EQ(b->count(Id::tls_no_crl), 2U);
  EXPECT_EQ(b->count(Id::tls_cert_expired), 2U);
}

TEST(EventsMemorySink, WaitForAnEventFromAnotherThread) {
  MemorySink sink;
  EXPECT_FALSE(sink.wait_for(Id::tls_established, 10ms));
  std::thread t([&] {
    std::this_thread::sleep_for(20ms);
    sink.emit(make_event(Id::tls_resumed));
    sink.emit(make_event(Id::tls_established));
  });
  EXPECT_TRUE(sink.wait_for(Id::tls_established, 5s));
  t.join();
  EXPECT_TRUE(sink.wait_for(Id::tls_resumed, 0ms)) << "already emitted";
  EXPECT_FALSE(sink.wait_for(Id::tls_no_cipher, 10ms));
  EXPECT_EQ(sink.count(Id::tls_resumed), 1U);
  sink.clear();
  EXPECT_TRUE(sink.events().empty());
  EXPECT_FALSE(sink.wait_for(Id::tls_established, 0ms));
}

std::string read_all(std::FILE* f) {
  std::rewind(f);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  return out;
}

TEST(EventsStreamSink, WritesOneLinePerEventInEitherFormat) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  const Event e = revoked_event();
  StreamSink text(f, Format::text);
  StreamSink json(f, Format::json);
  text.emit(e);
  json.emit(e);
  EXPECT_EQ(read_all(f), format_text(e) + "\n" + format_json(e) + "\n");
  std::fclose(f);
}

TEST(EventsStreamSink, ConcurrentEmitsKeepLinesWhole) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  StreamSink sink(f, Format::json);
  const Event e = revoked_event();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) sink.emit(e);
    });
  }
  for (auto& t : threads) t.join();
  const std::string all = read_all(f);
  std::fclose(f);
  const std::string line = format_json(e) + "\n";
  std::size_t lines = 0;
  for (std::size_t pos = 0; pos < all.size(); pos += line.size(), ++lines) {
    ASSERT_EQ(all.compare(pos, line.size(), line), 0) << "line " << lines;
  }
  EXPECT_EQ(lines, 200U);
}

}  // namespace
}  // namespace mmssec::events
