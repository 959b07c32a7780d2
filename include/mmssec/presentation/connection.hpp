// SPDX-License-Identifier: Apache-2.0
// Presentation context negotiation (responder side) and a sans-I/O presentation connection
// (ISO 8823-1 kernel functional unit, normal mode). The connection does not know the session
// layer: the caller feeds it the user data of each session indication together with which
// session service carried it, and sends each returned PPDU with the session service named in
// the output. It does not know ACSE either: PDVs are handed up as opaque BER elements.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <utility>
#include <variant>
#include <vector>

#include "mmssec/ber/ber.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/presentation/ppdu.hpp"

namespace mmssec::presentation {

// ---------------------------------------------------------------------------------------------
// Negotiation
// ---------------------------------------------------------------------------------------------

/// Abstract syntaxes this end supports. Starts with ACSE {2 2 1 0 1} and MMS {1 0 9506 2 1};
/// callers register more (e.g. security abstract syntaxes). BER is the only transfer syntax.
class SyntaxTable {
 public:
  SyntaxTable();
  /// An empty table (for tests and for callers that build their own).
  static SyntaxTable empty() { return SyntaxTable(EmptyTag{}); }
  void add(ber::Oid abstract_syntax);
  [[nodiscard]] bool supports(const ber::Oid& abstract_syntax) const;
  [[nodiscard]] const std::vector<ber::Oid>& syntaxes() const noexcept { return syntaxes_; }

 private:
  struct EmptyTag {};
  explicit SyntaxTable(EmptyTag) {}
  std::vector<ber::Oid> syntaxes_;
};

/// One member of the defined context set.
struct NegotiatedContext {
  ContextId id = 0;
  ber::Oid abstract_syntax;
  ber::Oid transfer_syntax;
  friend bool operator==(const NegotiatedContext&, const NegotiatedContext&) = default;
};

/// Outcome of negotiating a proposed context list.
struct Negotiation {
  /// One result per proposed context, in the order proposed (the CPA/CPR result list).
  std::vector<ContextResult> results;
  /// The accepted contexts: the defined context set.
  std::vector<NegotiatedContext> accepted;
};

/// Responder-side negotiation (ISO 8823-1 clause 6.2.2): each proposed context whose abstract
/// syntax is supported and whose transfer-syntax list offers BER is accepted with BER; every
/// other context is rejected on its own in the result list (provider-rejection with reason
/// abstract-syntax-not-supported or proposed-transfer-syntaxes-not-supported), never failing the
/// connection by itself. Fails with Errc::bad_context_id when an identifier is even or out of
/// range (the initiator allocates odd identifiers), Errc::duplicate_context_id when one repeats,
/// and Errc::acse_not_acceptable when no ACSE context could be accepted (the caller then refuses
/// the connection with a CPR).
[[nodiscard]] Result<Negotiation> negotiate(std::span<const ContextDefinition> proposed,
                                            const SyntaxTable& supported);

// ---------------------------------------------------------------------------------------------
// Connection
// ---------------------------------------------------------------------------------------------

/// The session service that carried a PPDU in, or must carry one out.
enum class SessionService : std::uint8_t {
  connect,         ///< S-CONNECT request/indication (CN SPDU): CP-PPDU
  accept,          ///< S-CONNECT accept (AC SPDU): CPA-PPDU
  refuse,          ///< S-CONNECT reject (RF SPDU): CPR-PPDU
  data,            ///< S-DATA (DT SPDU): TD-PPDU (User-data)
  release,         ///< S-RELEASE request/indication (FN SPDU): User-data
  release_result,  ///< S-RELEASE response/confirm (DN SPDU): User-data
  abort,           ///< S-U-ABORT (AB SPDU): ARU-PPDU or ARP-PPDU
};

/// A PPDU to hand to the session layer.
struct Outgoing {
  SessionService service = SessionService::data;
  Bytes ppdu;
};

/// P-CONNECT indication (responder): negotiated contexts and the PDVs of the CP (normally the AARQ).
struct ConnectIndication {
  std::optional<Bytes> calling_selector;
  std::optional<Bytes> called_selector;
  std::vector<ContextDefinition> proposed;
  Negotiation negotiation;
  std::vector<Pdv> user_data;
};
/// P-CONNECT confirm, accepted (initiator): defined context set and the PDVs (normally the AARE).
struct ConnectConfirm {
  std::optional<Bytes> responding_selector;
  std::vector<ContextResult> results;
  std::vector<NegotiatedContext> contexts;
  std::vector<Pdv> user_data;
};
/// P-CONNECT confirm, refused (initiator): by the peer's user or provider.
struct ConnectRefused {
  std::optional<ProviderReason> provider_reason;
  std::vector<ContextResult> results;
  std::vector<Pdv> user_data;
};
/// P-DATA indication.
struct DataIndication {
  std::vector<Pdv> user_data;
};
/// P-RELEASE indication (FN) / confirm (DN).
struct ReleaseIndication {
  std::vector<Pdv> user_data;
};
struct ReleaseConfirm {
  std::vector<Pdv> user_data;
};
/// P-U-ABORT indication (peer sent ARU) or P-P-ABORT indication (peer sent ARP, or this end
/// detected a protocol error and sent ARP/CPR itself: then `local_cause` says why).
struct AbortIndication {
  bool provider = false;
  std::optional<AbortReason> reason;
  std::optional<EventIdentifier> event;
  std::vector<Pdv> user_data;
  std::optional<Error> local_cause;
};

using Event = std::variant<ConnectIndication, ConnectConfirm, ConnectRefused, DataIndication,
                           ReleaseIndication, ReleaseConfirm, AbortIndication>;

/// What one input produced: PPDUs to send (in order) and events for the layer above.
struct Output {
  std::vector<Outgoing> send;
  std::vector<Event> events;
};

struct ConnectionConfig {
  Limits limits{};
  SyntaxTable syntaxes{};
  /// Our presentation selector: sent as responding selector (responder).
  std::optional<Bytes> local_selector;
};

/// A connect request (initiator).
struct ConnectRequest {
  std::optional<Bytes> calling_selector;
  std::optional<Bytes> called_selector;
  /// Proposed contexts; identifiers must be odd (the initiator allocates odd ones), unique.
  std::vector<ContextDefinition> contexts;
  std::vector<Pdv> user_data;
};

/// The usual IEC 61850 proposal: 1 = ACSE, 3 = MMS, both with BER.
std::vector<ContextDefinition> default_contexts();

class Connection {
 public:
  enum class Role : std::uint8_t { initiator, responder };
  enum class State : std::uint8_t {
    idle,               ///< nothing happened yet
    awaiting_cpa,       ///< initiator: CP sent
    awaiting_response,  ///< responder: CP received, P-CONNECT indication delivered
    open,               ///< data transfer
    closed,             ///< released, refused or aborted
  };

  static Connection initiator(ConnectionConfig config = {});
  static Connection responder(ConnectionConfig config = {});

  [[nodiscard]] Role role() const noexcept { return role_; }
  [[nodiscard]] State state() const noexcept { return state_; }
  /// The defined context set (after the connection is established).
  [[nodiscard]] const std::vector<NegotiatedContext>& contexts() const noexcept { return contexts_; }
  /// Abstract syntax of a context of the defined context set.
  [[nodiscard]] const ber::Oid* abstract_syntax(ContextId id) const;
  /// First context of the defined context set with this abstract syntax.
  [[nodiscard]] std::optional<ContextId> context_for(const ber::Oid& abstract_syntax) const;

  // ---- local requests (return the PPDU to send) ----
  /// Initiator, idle: P-CONNECT request -> CP-PPDU on S-CONNECT.
  [[nodiscard]] Result<Outgoing> connect(const ConnectRequest& request);
  /// Responder, awaiting_response: P-CONNECT response (accept) -> CPA-PPDU on S-CONNECT accept.
  [[nodiscard]] Result<Outgoing> accept(std::vector<Pdv> user_data);
  /// Responder, awaiting_response: P-CONNECT response (user reject) -> CPR-PPDU on S-CONNECT reject.
  [[nodiscard]] Result<Outgoing> refuse(std::vector<Pdv> user_data);
  /// open: P-DATA -> TD-PPDU. Every PDV must name a context of the defined context set.
  [[nodiscard]] Result<Outgoing> send_data(std::vector<Pdv> user_data);
  /// Data-transfer fast path (no intermediate values): open: append the TD-PPDU of one
  /// single-ASN1-type PDV on `context` to `out`, the octets send_data() produces for
  /// {Pdv::single(context, element)}. Errc::invalid_state / Errc::unknown_context_id (nothing
  /// appended) where send_data() would fail.
  [[nodiscard]] Status encode_data(ContextId context, ByteView element, Bytes& out) const;
  /// Data-transfer fast path: when on_session(SessionService::data, user_data, base_offset)
  /// would deliver exactly one single-ASN1-type PDV in a DataIndication, that PDV as views into
  /// `user_data`; otherwise nullopt and the caller passes `user_data` to on_session(). Changes
  /// no state either way.
  [[nodiscard]] std::optional<PdvView> data_view(ByteView user_data, std::size_t base_offset = 0) const;

  /// open: P-RELEASE request (FN) / response (DN); the response closes the connection.
  [[nodiscard]] Result<Outgoing> release(std::vector<Pdv> user_data);
  [[nodiscard]] Result<Outgoing> release_response(std::vector<Pdv> user_data);
  /// Any state but closed: P-U-ABORT -> ARU-PPDU on S-U-ABORT; closes the connection.
  [[nodiscard]] Result<Outgoing> abort(std::vector<Pdv> user_data);

  // ---- session indications ----
  /// Feed the user data of one session indication. Decode failures and protocol errors never
  /// escape as errors: they produce the reaction ISO 8823 prescribes (a CPR for a CP that cannot
  /// be accepted, an ARP otherwise) plus an AbortIndication / ConnectRefused event naming the cause.
  Output on_session(SessionService service, ByteView user_data, std::size_t base_offset = 0);

 private:
  Connection(Role role, ConnectionConfig config) : role_(role), config_(std::move(config)) {}
  Output on_connect(ByteView data, std::size_t base);
  Output on_accept(ByteView data, std::size_t base);
  Output on_refuse(ByteView data, std::size_t base);
  Output on_user_data(SessionService service, ByteView data, std::size_t base);
  Output on_abort(ByteView data, std::size_t base);
  Output provider_abort(AbortReason reason, std::optional<EventIdentifier> event, const Error& cause);
  Output provider_refuse(ProviderReason reason, std::vector<ContextResult> results, const Error& cause);
  Status check_pdvs(const std::vector<Pdv>& pdvs) const;
  [[nodiscard]] bool is_defined(ContextId id) const noexcept;

  Role role_;
  ConnectionConfig config_;
  State state_ = State::idle;
  std::vector<ContextDefinition> proposed_;
  Negotiation negotiation_;
  std::vector<NegotiatedContext> contexts_;
};

/// The ARP provider-reason ISO 8823 prescribes for a decode / validation failure.
[[nodiscard]] AbortReason abort_reason_for(const Error& error) noexcept;

}  // namespace mmssec::presentation
