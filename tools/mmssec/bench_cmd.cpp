// SPDX-License-Identifier: Apache-2.0
// `mmssec bench`: a load generator for any MMS server. Opens N associations on an event loop
// (no thread per association), keeps K reads of one variable outstanding on each for a fixed
// time, shows a progress line, then prints throughput, latency percentiles, errors and its own
// peak RSS (text or JSON). --idle only establishes and holds the associations (association
// setup rate; memory per idle association is measured on the server, see docs/performance.md).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "mmssec/endpoint/client.hpp"
#include "mmssec/endpoint/reference.hpp"
#include "mmssec/net/loop.hpp"
#include "mmssec/stack/decode.hpp"
#include "tls_options.hpp"
#include "tool_util.hpp"

namespace mmssec::tool {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchArgs {
  std::string url;
  std::size_t associations = 1;
  std::size_t outstanding = 1;
  double duration_s = 10;
  double warmup_s = 1;
  std::string read_ref;
  bool idle = false;
  bool setups = false;
  bool json = false;
  TlsArgs tls;
  bool quiet = false;
  std::size_t threads = 1;
  std::int64_t busy_poll_us = net::kDefaultBusyPoll.count();
  std::size_t connect_concurrency = 64;
  double timeout_s = 10;
};

constexpr const char* kDescription =
    "Load an MMS server: open --associations N associations, keep --outstanding K reads of --read "
    "REF in flight on each for --duration seconds (after --warmup seconds that are not counted), "
    "then print reads/s, latency percentiles (p50, p90, p99, max), errors and this process's peak "
    "RSS. Works against any MMS server (plain ISO 9506 Read of a named variable).\n"
    "--idle establishes the associations and holds them for --duration without traffic "
    "(association setups per second; measure the server's memory meanwhile).\n"
    "--setups measures full association setups for --duration: each of the N slots connects, "
    "associates (TCP, TLS with mutual authentication for mmss://, AARQ/AARE with the MMS "
    "Initiate), aborts and starts over; prints setups/s and setup latency.\n"
    "mmss:// URLs run over TLS (credentials from --pki DIR or --cert/--key/--ca).\n"
    "Exit codes: 0 ran without errors, 1 some requests or associations failed, 2 bad arguments, "
    "3 no association could be established.";

int usage_error(const std::string& message) { return tool::usage_error("bench", message); }

/// Shared between the loop threads and the main thread.
struct Shared {
  std::atomic<bool> measuring{false};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> completed{0};  ///< reads answered while measuring
  std::atomic<std::uint64_t> completed_all{0};
  std::atomic<std::uint64_t> in_flight{0};
  std::atomic<std::size_t> associated{0};
  std::atomic<std::size_t> setup_done{0};   ///< associations that finished trying (ok or not)
  std::atomic<std::uint64_t> setups{0};     ///< --setups: associations established while measuring
  std::atomic<std::size_t> setup_slots{0};  ///< --setups: slots still cycling

  std::mutex mu;  // guards the fields below
  std::condition_variable cv;
  std::map<std::string, std::uint64_t> errors;  ///< by readable reason
  std::vector<std::unique_ptr<LatencyHistogram>> histograms;
  LatencyHistogram setup_latency;

  LatencyHistogram& thread_histogram() {
    thread_local LatencyHistogram* mine = nullptr;
    thread_local Shared* owner = nullptr;
    if (mine == nullptr || owner != this) {
      const std::lock_guard lock(mu);
      histograms.push_back(std::make_unique<LatencyHistogram>());
      mine = histograms.back().get();
      owner = this;
    }
    return *mine;
  }
  void error(const endpoint::Failure& f) {
    const std::lock_guard lock(mu);
    ++errors[f.describe()];
  }
  [[nodiscard]] std::uint64_t error_count() {
    const std::lock_guard lock(mu);
    std::uint64_t n = 0;
    for (const auto& [k, v] : errors) n += v;
    return n;
  }
};

/// One association's read loop: each completion records the latency and issues the next read.
struct Worker : std::enable_shared_from_this<Worker> {
  std::shared_ptr<endpoint::AsyncClient> client;
  std::shared_ptr<Shared> shared;
  mms::ObjectName name;

  void issue() {
    if (shared->stopping.load(std::memory_order_relaxed)) return;
    shared->in_flight.fetch_add(1, std::memory_order_relaxed);
    const auto t0 = Clock::now();
    client->read(name, [self = shared_from_this(), t0](endpoint::Outcome<mms::Data> r) {
      Shared& s = *self->shared;
      s.in_flight.fetch_sub(1, std::memory_order_relaxed);
      if (!r) {
        // A DataAccessError is an answer too: count it as an error but keep reading; anything
        // else ends this association's part.
        s.error(r.failure());
        if (r.code() != endpoint::make_error_code(endpoint::Errc::access_error)) return;
      }
      s.completed_all.fetch_add(1, std::memory_order_relaxed);
      if (s.measuring.load(std::memory_order_relaxed)) {
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
        s.thread_histogram().record(static_cast<std::uint64_t>(ns));
        s.completed.fetch_add(1, std::memory_order_relaxed);
      }
      self->issue();
    });
  }
};

std::string format_rate(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

/// {"p50":..,"p90":..,"p99":..,"max":..} in microseconds.
std::string latency_json(const LatencyHistogram& h) {
  auto us = [](std::uint64_t ns) { return std::to_string(static_cast<double>(ns) / 1000.0); };
  return "{\"p50\":" + us(h.quantile(0.5)) + ",\"p90\":" + us(h.quantile(0.9)) +
         ",\"p99\":" + us(h.quantile(0.99)) + ",\"max\":" + us(h.max()) + "}";
}

/// "p50 1.2 ms, p90 ..., p99 ..., max ...".
std::string latency_text(const LatencyHistogram& h) {
  return "p50 " + format_duration_ns(h.quantile(0.5)) + ", p90 " + format_duration_ns(h.quantile(0.9)) +
         ", p99 " + format_duration_ns(h.quantile(0.99)) + ", max " + format_duration_ns(h.max());
}

/// ,"errors":N,"error_kinds":{...}
std::string errors_json(const std::map<std::string, std::uint64_t>& errors, std::uint64_t total) {
  std::string j = ",\"errors\":" + std::to_string(total) + ",\"error_kinds\":{";
  bool first = true;
  for (const auto& [k, v] : errors) {
    j += (first ? "" : ",") + stack::json_string(k) + ":" + std::to_string(v);
    first = false;
  }
  return j + "}";
}

/// "errors:        N" and one line per kind.
void print_errors(const std::map<std::string, std::uint64_t>& errors, std::uint64_t total) {
  std::cout << "errors:        " << total << '\n';
  for (const auto& [k, v] : errors) std::cout << "  " << v << " x " << k << '\n';
}

/// --setups: N slots, each cycling connect + associate + abort for the duration.
struct SetupCycle : std::enable_shared_from_this<SetupCycle> {
  net::Loop* loop = nullptr;
  endpoint::ClientConfig cfg;
  std::shared_ptr<Shared> shared;
  std::shared_ptr<endpoint::AsyncClient> client;

  void next() {
    if (shared->stopping.load()) {
      client.reset();
      shared->setup_slots.fetch_sub(1);
      shared->cv.notify_all();
      return;
    }
    client = endpoint::AsyncClient::create(*loop, cfg);
    const auto t0 = Clock::now();
    client->connect([self = shared_from_this(), t0](endpoint::Outcome<endpoint::AssociationInfo> r) {
      Shared& s = *self->shared;
      if (r) {
        if (s.measuring.load(std::memory_order_relaxed)) {
          const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
          s.thread_histogram().record(static_cast<std::uint64_t>(ns));
          s.setups.fetch_add(1, std::memory_order_relaxed);
        }
        self->client->abort();
      } else {
        s.error(r.failure());
      }
      // Start over from the loop, not from inside this client's callback.
      self->loop->post([self] { self->next(); });
    });
  }
};

int run_setups(const BenchArgs& a, const Target& target, const endpoint::ClientConfig& cfg, net::Loop& loop,
               bool tty, bool progress) {
  auto shared = std::make_shared<Shared>();
  std::vector<std::shared_ptr<SetupCycle>> cycles;
  shared->setup_slots = a.associations;
  for (std::size_t i = 0; i < a.associations; ++i) {
    auto c = std::make_shared<SetupCycle>();
    c->loop = &loop;
    c->cfg = cfg;
    c->shared = shared;
    cycles.push_back(c);
  }
  for (auto& c : cycles) c->next();
  if (a.warmup_s > 0) {
    if (progress) std::fprintf(stderr, "warming up for %.1f s\n", a.warmup_s);
    std::this_thread::sleep_for(std::chrono::duration<double>(a.warmup_s));
  }
  shared->measuring = true;
  const auto start = Clock::now();
  const auto duration = std::chrono::duration<double>(a.duration_s);
  std::uint64_t last = 0;
  auto last_tick = start;
  while (Clock::now() - start < duration) {
    const std::chrono::duration<double> left = duration - (Clock::now() - start);
    std::this_thread::sleep_for(std::min(std::chrono::duration<double>(1.0), left));
    if (!progress) continue;
    const auto now = Clock::now();
    const std::uint64_t n = shared->setups.load();
    const double dt = std::chrono::duration<double>(now - last_tick).count();
    std::fprintf(stderr, "%s[%5.1f s] %8.0f setups/s  total %llu  errors %llu%s", tty ? "\r" : "",
                 std::chrono::duration<double>(now - start).count(),
                 dt > 0 ? static_cast<double>(n - last) / dt : 0.0, static_cast<unsigned long long>(n),
                 static_cast<unsigned long long>(shared->error_count()), tty ? "" : "\n");
    last = n;
    last_tick = now;
  }
  shared->measuring = false;
  const double measured_s = std::chrono::duration<double>(Clock::now() - start).count();
  const std::uint64_t setups = shared->setups.load();
  if (progress && tty) std::fprintf(stderr, "\n");
  shared->stopping = true;
  {
    std::unique_lock lock(shared->mu);
    shared->cv.wait_for(lock, cfg.connect_timeout + cfg.association_timeout + std::chrono::seconds(1),
                        [&] { return shared->setup_slots.load() == 0; });
  }
  loop.stop();
  cycles.clear();

  LatencyHistogram latency;
  std::map<std::string, std::uint64_t> errors;
  {
    const std::lock_guard lock(shared->mu);
    for (const auto& h : shared->histograms) latency.merge(*h);
    errors = shared->errors;
  }
  std::uint64_t error_total = 0;
  for (const auto& [k, v] : errors) error_total += v;
  const double rate = static_cast<double>(setups) / measured_s;
  const std::size_t rss = peak_rss_kib();
  if (a.json) {
    std::string j = "{";
    j += "\"target\":" + stack::json_string(format_endpoint(target.host, target.port));
    j += ",\"mode\":\"setups\",\"tls\":" + std::string(target.tls ? "true" : "false");
    j += ",\"slots\":" + std::to_string(a.associations);
    j += ",\"client_threads\":" + std::to_string(loop.threads());
    j += ",\"duration_seconds\":" + std::to_string(measured_s);
    j += ",\"setups\":" + std::to_string(setups);
    j += ",\"setups_per_second\":" + format_rate(rate);
    j += ",\"setup_latency_us\":" + latency_json(latency);
    j += errors_json(errors, error_total);
    j += ",\"peak_rss_kib\":" + std::to_string(rss) + "}";
    std::cout << j << '\n';
  } else {
    std::cout << "target:        " << format_endpoint(target.host, target.port)
              << (target.tls ? " (TLS)" : " (plain)") << '\n'
              << "load:          " << a.associations << " slot(s) each cycling connect + associate + abort, "
              << measured_s << " s measured after " << a.warmup_s << " s warm-up\n"
              << "setups:        " << format_rate(rate) << " associations/s (" << setups << " setups)\n"
              << "setup latency: " << latency_text(latency) << '\n';
    print_errors(errors, error_total);
    std::cout << "peak RSS:      " << rss << " KiB (this process)\n";
  }
  if (setups == 0) return kIoError;
  return error_total == 0 ? kOk : kMalformed;
}

int run_bench(const BenchArgs& a) {
  std::string err;
  const auto target = parse_target(a.url, err);
  if (!target) return usage_error(err);
  if (a.associations == 0) return usage_error("--associations must be at least 1");
  if (a.idle && a.setups) return usage_error("--idle and --setups exclude each other");
  if (!a.idle && a.outstanding == 0) return usage_error("--outstanding must be at least 1");
  if (a.duration_s <= 0) return usage_error("--duration must be positive");
  if (a.warmup_s < 0) return usage_error("--warmup must not be negative");
  if (a.connect_concurrency == 0) return usage_error("--connect-concurrency must be at least 1");
  std::optional<mms::ObjectName> name;
  if (!a.idle && !a.setups) {
    if (a.read_ref.empty()) return usage_error("--read REF is required (or --idle, --setups)");
    auto n = endpoint::parse_reference(a.read_ref);
    if (!n) return usage_error(endpoint::format_failure(n.failure()));
    name = *n;
  }
  const bool tty = isatty(STDERR_FILENO) != 0;
  const bool progress = !a.quiet;
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(a.timeout_s * 1000));

  auto shared = std::make_shared<Shared>();
  if (a.busy_poll_us < 0) return usage_error("--busy-poll must not be negative");
  net::Loop loop(a.threads, std::chrono::microseconds(a.busy_poll_us));
  endpoint::ClientConfig cfg;
  cfg.host = target->host;
  cfg.port = target->port;
  cfg.connect_timeout = timeout;
  cfg.association_timeout = timeout;
  cfg.request_timeout = timeout;
  cfg.release_timeout = timeout;
  cfg.mms.max_outstanding_calling =
      static_cast<std::int16_t>(std::min<std::size_t>(std::max<std::size_t>(a.outstanding, 1), 32767));
  if (target->tls) {
    auto sink = make_event_sink(a.tls, events::Format::text, events::Severity::warning, err);
    std::shared_ptr<tls::Context> ctx;
    if (sink) ctx = make_tls_context(a.tls, tls::Role::client, sink, err);
    if (!ctx) return usage_error(err);
    // No peer key: every setup is a full handshake (no session resumption), like openssl s_time -new.
    cfg.wrap_connection = ctx->decorator();
  } else if (has_tls_credentials(a.tls)) {
    return usage_error("TLS credentials were given but " + a.url + " is plain RFC 1006; use mmss://");
  }
  if (a.setups) return run_setups(a, *target, cfg, loop, tty, progress);

  // ---- establish the associations, at most connect_concurrency at a time
  std::vector<std::shared_ptr<endpoint::AsyncClient>> clients(a.associations);
  std::atomic<std::size_t> next{0};
  std::function<void()> start_one;
  start_one = [&] {
    const std::size_t i = next.fetch_add(1);
    if (i >= a.associations) return;
    clients[i] = endpoint::AsyncClient::create(loop, cfg);
    const auto t0 = Clock::now();
    clients[i]->connect([&, t0](endpoint::Outcome<endpoint::AssociationInfo> r) {
      if (r) {
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
        {
          const std::lock_guard lock(shared->mu);
          shared->setup_latency.record(static_cast<std::uint64_t>(ns));
        }
        shared->associated.fetch_add(1);
      } else {
        shared->error(r.failure());
      }
      shared->setup_done.fetch_add(1);
      shared->cv.notify_all();
      start_one();
    });
  };
  const auto setup_start = Clock::now();
  for (std::size_t i = 0; i < std::min(a.connect_concurrency, a.associations); ++i) start_one();
  {
    std::unique_lock lock(shared->mu);
    auto last = Clock::now();
    while (!shared->cv.wait_for(lock, std::chrono::milliseconds(200),
                                [&] { return shared->setup_done.load() >= a.associations; })) {
      if (progress && Clock::now() - last >= std::chrono::seconds(1)) {
        last = Clock::now();
        std::fprintf(stderr, "%sassociating: %zu/%zu established%s", tty ? "\r" : "",
                     shared->associated.load(), a.associations, tty ? "" : "\n");
      }
    }
  }
  const double setup_s = std::chrono::duration<double>(Clock::now() - setup_start).count();
  const std::size_t associated = shared->associated.load();
  if (progress) {
    std::fprintf(stderr, "%s%zu/%zu associations established in %.2f s (%.0f setups/s)\n", tty ? "\r" : "",
                 associated, a.associations, setup_s, static_cast<double>(associated) / setup_s);
  }
  if (associated == 0) {
    loop.stop();  // no callback may run once this frame is gone
    std::cerr << "error: no association could be established";
    if (!shared->errors.empty()) std::cerr << ": " << shared->errors.begin()->first;
    std::cerr << '\n';
    return kIoError;
  }

  // ---- load
  std::vector<std::shared_ptr<Worker>> workers;
  if (!a.idle) {
    for (auto& c : clients) {
      if (!c || !c->associated()) continue;
      auto w = std::make_shared<Worker>();
      w->client = c;
      w->shared = shared;
      w->name = *name;
      workers.push_back(w);
      for (std::size_t k = 0; k < a.outstanding; ++k) w->issue();
    }
  }
  const auto warmup = std::chrono::duration<double>(a.warmup_s);
  const auto duration = std::chrono::duration<double>(a.duration_s);
  if (!a.idle && a.warmup_s > 0) {
    if (progress) std::fprintf(stderr, "warming up for %.1f s\n", a.warmup_s);
    std::this_thread::sleep_for(warmup);
  }
  shared->measuring = true;
  const auto measure_start = Clock::now();
  std::uint64_t last_count = 0;
  auto last_tick = measure_start;
  while (Clock::now() - measure_start < duration) {
    const std::chrono::duration<double> left = duration - (Clock::now() - measure_start);
    std::this_thread::sleep_for(std::min(std::chrono::duration<double>(1.0), left));
    if (!progress) continue;
    const auto now = Clock::now();
    const std::uint64_t count = shared->completed.load();
    const double dt = std::chrono::duration<double>(now - last_tick).count();
    const double elapsed = std::chrono::duration<double>(now - measure_start).count();
    if (a.idle) {
      std::fprintf(stderr, "%s[%5.1f s] holding %zu idle associations%s", tty ? "\r" : "", elapsed,
                   static_cast<std::size_t>(std::count_if(
                       clients.begin(), clients.end(), [](const auto& c) { return c && c->associated(); })),
                   tty ? "" : "\n");
    } else {
      std::fprintf(stderr, "%s[%5.1f s] %8.0f reads/s  total %llu  in flight %llu  errors %llu%s",
                   tty ? "\r" : "", elapsed, dt > 0 ? static_cast<double>(count - last_count) / dt : 0.0,
                   static_cast<unsigned long long>(count),
                   static_cast<unsigned long long>(shared->in_flight.load()),
                   static_cast<unsigned long long>(shared->error_count()), tty ? "" : "\n");
    }
    last_count = count;
    last_tick = now;
  }
  shared->measuring = false;
  const double measured_s = std::chrono::duration<double>(Clock::now() - measure_start).count();
  const std::uint64_t reads = shared->completed.load();
  if (progress && tty) std::fprintf(stderr, "\n");

  // ---- drain and release
  shared->stopping = true;
  const auto drain_deadline = Clock::now() + timeout;
  while (shared->in_flight.load() > 0 && Clock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::atomic<std::size_t> released{0};
  std::size_t to_release = 0;
  for (auto& c : clients) {
    if (!c || !c->associated()) continue;
    ++to_release;
    c->release([&](endpoint::Outcome<void> r) {
      if (!r) shared->error(r.failure());
      released.fetch_add(1);
      shared->cv.notify_all();
    });
  }
  {
    std::unique_lock lock(shared->mu);
    shared->cv.wait_for(lock, timeout + std::chrono::seconds(1),
                        [&] { return released.load() >= to_release; });
  }
  workers.clear();
  loop.stop();
  clients.clear();

  // ---- results
  LatencyHistogram latency;
  std::map<std::string, std::uint64_t> errors;
  LatencyHistogram setup;
  {
    const std::lock_guard lock(shared->mu);
    for (const auto& h : shared->histograms) latency.merge(*h);
    errors = shared->errors;
    setup = shared->setup_latency;
  }
  std::uint64_t error_total = 0;
  for (const auto& [k, v] : errors) error_total += v;
  const double rate = static_cast<double>(reads) / measured_s;
  const double setups_per_s = static_cast<double>(associated) / setup_s;
  const std::size_t rss = peak_rss_kib();
  if (a.json) {
    std::string j = "{";
    j += "\"target\":" + stack::json_string(format_endpoint(target->host, target->port));
    j += ",\"mode\":" + stack::json_string(a.idle ? "idle" : "read");
    if (!a.idle) j += ",\"read\":" + stack::json_string(a.read_ref);
    j += ",\"associations\":" + std::to_string(a.associations);
    j += ",\"associated\":" + std::to_string(associated);
    j += ",\"outstanding\":" + std::to_string(a.outstanding);
    j += ",\"client_threads\":" + std::to_string(loop.threads());
    j += ",\"setup_seconds\":" + std::to_string(setup_s);
    j += ",\"setups_per_second\":" + format_rate(setups_per_s);
    j += ",\"setup_p50_us\":" + std::to_string(setup.quantile(0.5) / 1000);
    j += ",\"setup_p99_us\":" + std::to_string(setup.quantile(0.99) / 1000);
    j += ",\"duration_seconds\":" + std::to_string(measured_s);
    if (!a.idle) {
      j += ",\"reads\":" + std::to_string(reads);
      j += ",\"reads_per_second\":" + format_rate(rate);
      j += ",\"latency_us\":" + latency_json(latency);
    }
    j += errors_json(errors, error_total);
    j += ",\"peak_rss_kib\":" + std::to_string(rss) + "}";
    std::cout << j << '\n';
  } else {
    std::cout << "target:        " << format_endpoint(target->host, target->port) << '\n'
              << "associations:  " << associated << '/' << a.associations << " established in " << setup_s
              << " s (" << format_rate(setups_per_s) << " setups/s; setup p50 "
              << format_duration_ns(setup.quantile(0.5)) << ", p99 "
              << format_duration_ns(setup.quantile(0.99)) << ")\n";
    if (!a.idle) {
      std::cout << "load:          " << a.outstanding << " outstanding read(s) of " << a.read_ref
                << " per association, " << measured_s << " s measured after " << a.warmup_s << " s warm-up\n"
                << "throughput:    " << format_rate(rate) << " reads/s (" << reads << " reads)\n"
                << "latency:       " << latency_text(latency) << '\n';
    } else {
      std::cout << "held:          " << associated << " idle associations for " << measured_s << " s\n";
    }
    print_errors(errors, error_total);
    std::cout << "peak RSS:      " << rss << " KiB (this process)\n";
  }
  return error_total == 0 ? kOk : kMalformed;
}

}  // namespace

void register_bench(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  auto* cmd =
      app.add_subcommand("bench", "Load generator: reads/s and latency percentiles against an MMS server");
  cmd->description(kDescription);
  cmd->add_option("url", args->url, "mmss://HOST[:PORT] (TLS) or mms://HOST[:PORT] (plain)")->required();
  cmd->add_option("--associations,-n", args->associations, "Associations to open")->capture_default_str();
  cmd->add_option("--outstanding,-k", args->outstanding, "Reads kept in flight per association")
      ->capture_default_str();
  cmd->add_option("--duration,-d", args->duration_s, "Seconds measured")->capture_default_str();
  cmd->add_option("--warmup", args->warmup_s, "Seconds of load before measuring")->capture_default_str();
  cmd->add_option("--read", args->read_ref, "Variable to read, e.g. LD0/MMXU1$MX$TotW$mag$f");
  cmd->add_flag("--idle", args->idle, "Only establish and hold the associations");
  cmd->add_flag(
      "--setups", args->setups,
      "Measure association setups/s: each of --associations slots cycles connect, associate, abort");
  cmd->add_flag("--json", args->json, "Print the result as one JSON object");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress output");
  cmd->add_option("--threads", args->threads, "Client event-loop threads")->capture_default_str();
  cmd->add_option("--busy-poll", args->busy_poll_us,
                  "Microseconds the event loop keeps polling before it sleeps (0 = never spin)")
      ->capture_default_str();
  cmd->add_option("--connect-concurrency", args->connect_concurrency, "Associations being set up at once")
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout_s, "Seconds for connect, association and each read")
      ->capture_default_str();
  add_tls_options(*cmd, args->tls);
  cmd->callback([args] { set_exit_code(run_bench(*args)); });
}

}  // namespace mmssec::tool
