// SPDX-License-Identifier: Apache-2.0
// The event catalogue: the single table of mnemonics, codes and default severities.
//
// [DECISION] codes: IEC 62351-14 numbers 62351-4 events "IEC62351-4:g.n"; the TLS (T-profile)
// events belong to group 15 (OSI environment) and n is the Id's numeric value, so a code never
// changes once assigned (Ids are append-only). Mnemonics are PROFILE.md §7's where it names one
// (TLS_WEAK_VERSION, TLS_VERSION_CHANGE, TLS_NO_RENEG, TLS_NO_CRL), ours in the same style
// otherwise. docs/SECURITY.md and docs/conformance.md list this table.
#include <array>
#include <cstddef>
#include <span>

#include "mmssec/events/event.hpp"

namespace mmssec::events {
namespace {

using S = Severity;

constexpr std::array kCatalogue{
    Descriptor{Id::tls_established, "TLS_ESTABLISHED", "IEC62351-4:15.1", S::info, "TLS session established"},
    Descriptor{Id::tls_resumed, "TLS_RESUMED", "IEC62351-4:15.2", S::info, "TLS session resumed"},
    Descriptor{Id::tls_renegotiated, "TLS_RENEGOTIATED", "IEC62351-4:15.3", S::info,
               "TLS renegotiation completed"},
    Descriptor{Id::tls_key_updated, "TLS_KEY_UPDATED", "IEC62351-4:15.4", S::info, "TLS 1.3 key update"},
    Descriptor{Id::tls_weak_version, "TLS_WEAK_VERSION", "IEC62351-4:15.5", S::warning,
               "session uses a weak TLS version"},
    Descriptor{Id::tls_version_change, "TLS_VERSION_CHANGE", "IEC62351-4:15.6", S::alarm,
               "TLS version changed on resumption or renegotiation"},
    Descriptor{Id::tls_no_reneg, "TLS_NO_RENEG", "IEC62351-4:15.7", S::alarm,
               "peer did not complete the renegotiation in time"},
    Descriptor{Id::tls_no_crl, "TLS_NO_CRL", "IEC62351-4:15.8", S::warning, "no current CRL for the issuer"},
    Descriptor{Id::tls_cert_unavailable, "TLS_CERT_UNAVAILABLE", "IEC62351-4:15.9", S::alarm,
               "peer sent no certificate"},
    Descriptor{Id::tls_cert_expired, "TLS_CERT_EXPIRED", "IEC62351-4:15.10", S::alarm,
               "peer certificate expired"},
    Descriptor{Id::tls_cert_not_yet_valid, "TLS_CERT_NOT_YET_VALID", "IEC62351-4:15.11", S::alarm,
               "peer certificate not yet valid"},
    Descriptor{Id::tls_cert_revoked, "TLS_CERT_REVOKED", "IEC62351-4:15.12", S::alarm,
               "peer certificate revoked"},
    Descriptor{Id::tls_cert_untrusted, "TLS_CERT_UNTRUSTED", "IEC62351-4:15.13", S::alarm,
               "peer certificate not trusted"},
    Descriptor{Id::tls_cert_too_large, "TLS_CERT_TOO_LARGE", "IEC62351-4:15.14", S::alarm,
               "peer certificate too large"},
    Descriptor{Id::tls_cert_weak_key, "TLS_CERT_WEAK_KEY", "IEC62351-4:15.15", S::alarm,
               "peer certificate key too weak"},
    Descriptor{Id::tls_cert_bad_usage, "TLS_CERT_BAD_USAGE", "IEC62351-4:15.16", S::alarm,
               "peer certificate usage does not allow the role"},
    Descriptor{Id::tls_cert_not_allowed, "TLS_CERT_NOT_ALLOWED", "IEC62351-4:15.17", S::alarm,
               "peer certificate not on the allow-list"},
    Descriptor{Id::tls_no_cipher, "TLS_NO_CIPHER", "IEC62351-4:15.18", S::alarm, "no matching cipher suite"},
    Descriptor{Id::tls_handshake_failed, "TLS_HANDSHAKE_FAILED", "IEC62351-4:15.19", S::alarm,
               "TLS handshake failed"},
    Descriptor{Id::tls_protocol_error, "TLS_PROTOCOL_ERROR", "IEC62351-4:15.20", S::alarm,
               "TLS record-layer failure on an established session"},
    Descriptor{Id::tls_peer_revoked, "TLS_PEER_REVOKED", "IEC62351-4:15.21", S::alarm,
               "session closed: peer certificate revoked by a CRL reload"},
    Descriptor{Id::tls_crl_reloaded, "TLS_CRL_RELOADED", "IEC62351-4:15.22", S::info, "CRLs reloaded"},
    Descriptor{Id::tls_null_cipher, "TLS_NULL_CIPHER", "IEC62351-4:15.23", S::warning,
               "session without encryption (NULL cipher)"},
    Descriptor{Id::tls_keylog_enabled, "TLS_KEYLOG_ENABLED", "IEC62351-4:15.24", S::warning,
               "TLS key log enabled"},
    Descriptor{Id::tls_plaintext, "TLS_PLAINTEXT", "IEC62351-4:15.25", S::warning,
               "endpoint runs without TLS"},
};

/// Row i describes Id i + 1: describe() indexes the table directly.
constexpr bool dense() {
  for (std::size_t i = 0; i < kCatalogue.size(); ++i) {
    if (static_cast<std::size_t>(kCatalogue[i].id) != i + 1) return false;
  }
  return true;
}
static_assert(dense(), "catalogue rows must be in Id order without gaps");

constexpr Descriptor kUnknown{Id{0}, "UNKNOWN", "IEC62351-4:15.0", S::alarm, "unknown event"};

}  // namespace

std::string_view severity_name(Severity s) noexcept {
  switch (s) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::alarm: return "alarm";
  }
  return "unknown";
}

const Descriptor& describe(Id id) noexcept {
  const auto n = static_cast<std::size_t>(id);
  return n >= 1 && n <= kCatalogue.size() ? kCatalogue[n - 1] : kUnknown;
}

std::span<const Descriptor> catalogue() noexcept { return kCatalogue; }

Event make_event(Id id, std::string detail, std::string peer, std::uint64_t connection) {
  Event e;
  e.id = id;
  e.severity = describe(id).severity;
  e.time = std::chrono::system_clock::now();
  e.peer = std::move(peer);
  e.connection = connection;
  e.detail = std::move(detail);
  return e;
}

}  // namespace mmssec::events
