// SPDX-License-Identifier: Apache-2.0
// One MMS association over the OSI upper layers, sans-I/O: the single place where TPKT, COTP,
// session, presentation and ACSE are wired together. Bytes from the network go in; bytes to send,
// events and a close flag come out. The MMS PDUs themselves are carried as encoded octets (the
// MMS layer above decodes them), so that this wiring knows nothing about MMS services.
//
// Mapping (ISO 9506-2 / IEC 61850-8-1 A-profile):
//   A-ASSOCIATE  = COTP CR/CC, then session CN/AC carrying presentation CP/CPA carrying the
//                  ACSE AARQ/AARE, whose user-information EXTERNAL carries the MMS Initiate PDU.
//                  A rejection travels as AARE(rejected) in CPR in session RF.
//   MMS data     = session GT+DT carrying presentation TD (fully-encoded-data, MMS context).
//   A-RELEASE    = RLRQ in presentation user data in session FN; RLRE in DN. The transport is
//                  released afterwards (class 0 has no release of its own).
//   A-ABORT      = ABRT in ARU in session AB.
// Any protocol error in any layer produces that layer's reaction (COTP ER/DR, session AB,
// presentation ARP/CPR, ACSE ABRT), a Failure naming the layer, an `aborted` event and close.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mmssec/acse/acse.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/stack/decode.hpp"

namespace mmssec::stack {

enum class Role : std::uint8_t { client, server };

enum class State : std::uint8_t {
  idle,               ///< nothing sent or received yet
  connecting,         ///< client: CR sent / server: transport and session being set up
  awaiting_decision,  ///< server: AARQ received, waiting for accept()/reject()
  associated,         ///< data transfer
  releasing,          ///< RLRQ sent (client) or received and not yet answered (server)
  closed,             ///< released, rejected or aborted: close the transport
};
const char* state_name(State s) noexcept;

/// Addressing of the association (selectors at each layer and ACSE titles). The defaults are
/// what the common open-source IEC 61850 clients send.
struct Addressing {
  std::optional<Bytes> calling_tsap = Bytes{0x00, 0x01};
  std::optional<Bytes> called_tsap = Bytes{0x00, 0x01};
  std::optional<Bytes> calling_session_selector = Bytes{0x00, 0x01};
  std::optional<Bytes> called_session_selector = Bytes{0x00, 0x01};
  std::optional<Bytes> calling_presentation_selector = Bytes{0x00, 0x00, 0x00, 0x01};
  std::optional<Bytes> called_presentation_selector = Bytes{0x00, 0x00, 0x00, 0x01};
  std::optional<acse::ApTitle> calling_ap_title = acse::ApTitle::from_oid(ber::Oid{1, 1, 1, 999});
  std::optional<acse::AeQualifier> calling_ae_qualifier = acse::AeQualifier::from_int(12);
  std::optional<acse::ApTitle> called_ap_title = acse::ApTitle::from_oid(ber::Oid{1, 1, 1, 999, 1});
  std::optional<acse::AeQualifier> called_ae_qualifier = acse::AeQualifier::from_int(12);
};

struct Config {
  Limits limits{};
  Addressing addressing{};
  /// Server: our responding AP-title / AE-qualifier in the AARE (absent: not sent).
  std::optional<acse::ApTitle> responding_ap_title;
  std::optional<acse::AeQualifier> responding_ae_qualifier;
};

/// Server: an AARQ arrived. `mms_pdu` is the MMS PDU from its user-information (normally an
/// Initiate-RequestPDU); empty when the AARQ carried none.
struct AssociateIndication {
  acse::Aarq aarq;
  Bytes mms_pdu;
};
/// Client: the server accepted (`mms_pdu` = the Initiate-ResponsePDU).
/// Server: our accepting AARE went out.
struct Associated {
  std::optional<acse::Aare> aare;  ///< client only
  Bytes mms_pdu;
};
/// Client: the server rejected the association (AARE rejected, or refused below ACSE).
/// Server: our rejecting AARE went out.
struct AssociateRejected {
  std::optional<acse::Aare> aare;  ///< the AARE when there was one
  Bytes mms_pdu;                   ///< e.g. an Initiate-ErrorPDU
  std::string reason;              ///< readable ("rejected-permanent: authentication-failure")
};
/// An MMS PDU arrived in data transfer.
struct MmsData {
  Bytes pdu;
};
/// Server: the client asked to release (RLRQ). Answered automatically; the event is informative.
struct ReleaseIndication {};
/// The association ended in an orderly release.
struct Released {};
/// The association was aborted (by the peer, by us, or because of a protocol error).
struct Aborted {
  bool by_peer = false;
  std::string reason;              ///< readable
  std::optional<Failure> failure;  ///< the protocol error that caused it, if any
};

using Event = std::variant<AssociateIndication, Associated, AssociateRejected, MmsData, ReleaseIndication,
                           Released, Aborted>;

struct [[nodiscard]] Output {
  Bytes send;                 ///< bytes for the network (whole TPKTs), in order
  std::vector<Event> events;  ///< for the MMS layer, in order
  bool close = false;         ///< close the network connection once `send` is written

  /// Octet buffers of MmsData events dropped by clear(); the association refills them for the
  /// next MmsData it appends to this Output, so a reused Output does not allocate per PDU.
  std::vector<Bytes> spare;

  /// Empty again, keeping the capacity of `send` and `events` (and the buffers of MmsData
  /// events, up to two of at most 4 KiB) for reuse.
  void clear();
};

/// Server decision on an AssociateIndication.
struct Decision {
  bool accept = true;
  Bytes mms_pdu;  ///< accept: Initiate-ResponsePDU; reject: Initiate-ErrorPDU or empty
  acse::AssociateResult result = acse::AssociateResult::rejected_permanent;  ///< reject only
  acse::UserDiagnostic diagnostic = acse::UserDiagnostic::no_reason_given;   ///< reject only
};

/// Synchronous server decision; without one the association waits in awaiting_decision for
/// accept() / reject().
using Acceptor = std::function<Decision(const AssociateIndication&)>;

class Association {
 public:
  static Association client(Config config = {});
  static Association server(Config config = {}, Acceptor acceptor = {});
  ~Association();
  Association(Association&&) noexcept;
  Association& operator=(Association&&) noexcept;

  [[nodiscard]] Role role() const noexcept;
  [[nodiscard]] State state() const noexcept;

  /// Client, idle: start the association; `initiate_request` is the encoded MMS
  /// Initiate-RequestPDU carried in the AARQ.
  [[nodiscard]] Result<Output> connect(ByteView initiate_request);
  /// Bytes from the network, in any chunking (one byte at a time works).
  Output receive(ByteView bytes);
  /// The same, appending to a caller-owned `out` (bytes to `out.send`, events to `out.events`,
  /// `out.close` set when the connection must close). Reusing one Output (clear() between
  /// calls) keeps the data-transfer path free of allocations once its buffers have grown.
  void receive(ByteView bytes, Output& out);
  /// Server, awaiting_decision: answer the AARQ.
  [[nodiscard]] Result<Output> accept(ByteView initiate_response);
  [[nodiscard]] Result<Output> reject(const Decision& decision);
  /// Associated: send one encoded MMS PDU.
  [[nodiscard]] Result<Output> send(ByteView mms_pdu);
  /// The same, appending to a caller-owned `out` (the whole TPKT/COTP/session/presentation
  /// framing is encoded in one pass straight into `out.send`). On error `out` is unchanged.
  [[nodiscard]] Status send(ByteView mms_pdu, Output& out);
  /// Client, associated: orderly release (RLRQ). Send MMS Conclude first if the peer needs it.
  [[nodiscard]] Result<Output> release();
  /// Any state but closed: abort (ABRT, user abort).
  Output abort();
  /// The network connection went away.
  Output transport_closed();

  /// The AARQ of the association (server: received; client: sent).
  [[nodiscard]] const std::optional<acse::Aarq>& aarq() const noexcept;
  /// The MMS presentation context id once the presentation connection is open.
  [[nodiscard]] std::optional<std::uint32_t> mms_context() const noexcept;

 private:
  struct Impl;
  explicit Association(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmssec::stack
