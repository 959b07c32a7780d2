// SPDX-License-Identifier: Apache-2.0
// The MMS server side of one association, sans-I/O: Initiate negotiation (ISO 9506-2 Initiate
// service), dispatch of the confirmed services IEC 61850-8-1 uses to the naming model (Vmd),
// Reject for what cannot be decoded or is not supported, Conclude, and unsolicited
// InformationReports for named variable lists a caller enabled.
//
// Bytes in, bytes out: the caller (the network server) hands over the octets of one MMS PDU as
// the association delivered them and sends every element of Output::send in order.
// Single-threaded like Vmd: the caller serialises access to the session and to its model. A
// server sharing one Vmd between sessions holds a readers/writer lock: shared around every call
// into a session, exclusive around the calls that may change the model (may_modify_model()), the
// constructor and the destructor (they subscribe to and unsubscribe from the Vmd) and around any
// local update of the Vmd (whose change hook runs every session's report check).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/mms/data.hpp"
#include "mmssec/mms/model.hpp"
#include "mmssec/mms/pdu.hpp"

namespace mmssec::mms {

// ---------------------------------------------------------------------------------------------
// Session errors (shared by ServerSession and ClientSession)
// ---------------------------------------------------------------------------------------------

/// Protocol-state failures of an MMS association (not decode failures: those are Errc).
enum class SessionErrc {
  not_initiated = 1,     ///< a PDU before the Initiate exchange completed
  already_initiated,     ///< a second Initiate on an established association
  initiate_refused,      ///< the peer (or we) answered the Initiate with an Initiate-ErrorPDU
  unexpected_pdu,        ///< an MMSpdu alternative this side never receives in this state
  unknown_invoke_id,     ///< a response/error/reject names no outstanding request
  duplicate_invoke_id,   ///< a request reuses the invokeID of an outstanding request
  too_many_outstanding,  ///< the negotiated max-services-outstanding would be exceeded
  response_mismatch,     ///< the response's service is not the one requested
  concluded,             ///< the association was concluded; no more PDUs
  pdu_too_large,         ///< an encoded PDU exceeds the negotiated maximum PDU size
  peer_rejected,         ///< the peer sent a RejectPDU
  invalid_argument,      ///< a request the session refuses to encode (e.g. data count mismatch)
};

}  // namespace mmssec::mms

template <>
struct std::is_error_code_enum<mmssec::mms::SessionErrc> : std::true_type {};

namespace mmssec::mms {

/// Category name "mms" (the layer), like mms_category() and model_category().
const std::error_category& session_category() noexcept;
inline std::error_code make_error_code(SessionErrc e) noexcept {
  return {static_cast<int>(e), session_category()};
}

// ---------------------------------------------------------------------------------------------
// ServiceError codes the sessions use (ISO 9506-2 ServiceError, named values per class)
// ---------------------------------------------------------------------------------------------

namespace error_code {
inline constexpr std::int64_t kInitiateOther = 0;
inline constexpr std::int64_t kInitiateVersionIncompatible = 1;
inline constexpr std::int64_t kInitiateMaxSegmentInsufficient = 2;
inline constexpr std::int64_t kInitiateMaxOutstandingCallingInsufficient = 3;
inline constexpr std::int64_t kInitiateMaxOutstandingCalledInsufficient = 4;
inline constexpr std::int64_t kInitiateServiceCbbInsufficient = 5;
inline constexpr std::int64_t kInitiateParameterCbbInsufficient = 6;
inline constexpr std::int64_t kInitiateNestingLevelInsufficient = 7;
inline constexpr std::int64_t kConcludeFurtherCommunicationRequired = 1;
inline constexpr std::int64_t kCancelInvokeIdUnknown = 1;
inline constexpr std::int64_t kCancelNotPossible = 2;
inline constexpr std::int64_t kServicePduSize = 3;
inline constexpr std::int64_t kResourceCapabilityUnavailable = 4;
inline constexpr std::int64_t kAccessObjectAccessUnsupported = 1;
inline constexpr std::int64_t kAccessObjectNonExistent = 2;
inline constexpr std::int64_t kAccessObjectAccessDenied = 3;
inline constexpr std::int64_t kDefinitionInvalidAddress = 2;
}  // namespace error_code

/// The MMS version this implementation speaks (ISO 9506:2003 negotiates version 1).
inline constexpr std::int16_t kMmsVersion = 1;

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

/// What Identify answers.
struct ServerIdentity {
  std::string vendor = "mmssec";
  std::string model = "mmssec server";
  std::string revision = "0.1";
};

/// The services-supported string of ServerSession: status, getNameList, identify, read, write,
/// getVariableAccessAttributes, defineNamedVariableList, getNamedVariableListAttributes,
/// deleteNamedVariableList, informationReport and conclude (85 bits, as IEC 61850 peers send).
[[nodiscard]] BitStringValue server_services();

/// A (simplified, unbuffered) report control block: a client enables reports of `dataset` for its
/// own association by writing TRUE to the BOOLEAN variable `rpt_ena` and disables them with FALSE
/// (IEC 61850-8-1 URCB style: `LD0/LLN0$RP$urcb01$RptEna`). The variable lives in the shared model
/// (a read shows the last value written by anyone); the enabled state is per association.
struct ReportControl {
  ObjectName rpt_ena;
  ObjectName dataset;
};

/// What one confirmed request was and how it ended (ServerOptions::record_requests), for logs.
struct RequestRecord {
  InvokeId invoke_id = 0;
  std::uint32_t service = 0;  ///< service tag (service::k*); name with confirmed_service_name()
  std::string object;         ///< the first object the request names ("LD0/MMXU1$MX$TotW"), or ""
  std::size_t objects = 0;    ///< how many objects it names
  bool ok = true;             ///< a response with no failed item
  /// Empty when ok; else why: "object-non-existent" (the failed item, "2 of 3 failed: ..." for
  /// several), "access: object-non-existent" (ServiceError), "reject: confirmed-requestPDU: ...".
  std::string result;
};

/// Server-side negotiation limits and behaviour. Defaults come from Limits (mms_max_outstanding,
/// mms_max_pdu_size); the fields without a Limits counterpart are layer-local with safe defaults.
struct ServerOptions {
  /// Our ceiling for negotiatedMaxServOutstandingCalling (requests the client may have open).
  std::int16_t max_outstanding_calling = 16;
  /// Our ceiling for negotiatedMaxServOutstandingCalled (we never send requests; kept for
  /// negotiation).
  std::int16_t max_outstanding_called = 16;
  /// Our localDetail: the largest MMS PDU we send or accept, in octets.
  std::int32_t max_pdu_size = 65000;
  /// A client proposing a smaller localDetailCalling gets Initiate-Error max-segment-insufficient:
  /// below this a single identifier does not fit a GetNameList response.
  std::int32_t min_pdu_size = 256;
  /// Our ceiling for the data structure nesting level.
  std::int8_t max_nesting_level = 10;
  /// Parameter CBB we support (str1, str2, vnam, valt, vlis); the response carries the
  /// intersection with the proposal.
  BitStringValue parameter_cbb = iec61850_parameter_cbb();
  /// Parameter CBB bits the client must propose (named variables), else Initiate-Error
  /// parameter-CBB-insufficient.
  std::vector<std::size_t> required_parameter_bits = {parameter_bit::kVnam};
  /// Services we support and announce (servicesSupportedCalled). A confirmed request for a
  /// service whose bit is clear is rejected as unrecognized-service.
  BitStringValue services_supported = server_services();
  /// InformationReports kept for take_reports(); beyond this the oldest is dropped (and counted).
  std::size_t max_pending_reports = 256;
  /// Decoder limits.
  Limits limits = default_limits();
  /// Report control blocks (none by default; default_report_controls() for the default model).
  std::vector<ReportControl> report_controls;
  /// Called after an InformationReport was queued (from inside the Vmd change hook, i.e. under
  /// the caller's exclusive model lock, on whatever thread changed the model). Must be cheap and
  /// must not call back into the session or the Vmd: a network server uses it to schedule a
  /// take_reports() on the association's own thread.
  std::function<void()> on_report_queued;
  /// Fill ServerOutput::request for each confirmed request (costs a few string copies).
  bool record_requests = false;

  /// Defaults with the MMS fields of `limits` (mms_max_outstanding, mms_max_pdu_size).
  static ServerOptions from(const Limits& limits);
};

/// The outcome of one PDU.
struct ServerOutput {
  /// PDUs to send, in order (responses, errors, rejects; reports are separate: take_reports()).
  std::vector<Bytes> send;
  /// The peer concluded (Conclude-Response is in `send`): release the association afterwards.
  bool conclude = false;
  /// A protocol or decode failure worth logging. The association goes on (any reaction the
  /// standard prescribes is already in `send`).
  std::optional<Error> error;
  /// The confirmed request handled, when ServerOptions::record_requests is set.
  std::optional<RequestRecord> request;
};

/// One MMS association, server side. Subscribes to the model's change hook for reports, so the
/// Vmd must outlive the session; not copyable or movable.
class ServerSession {
 public:
  using Output = ServerOutput;

  ServerSession(Vmd& vmd, ServerIdentity identity = {}, ServerOptions options = {});
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;
  ServerSession(ServerSession&&) = delete;
  ServerSession& operator=(ServerSession&&) = delete;

  /// Decode an Initiate-RequestPDU and negotiate. Returns the PDU to send: an
  /// Initiate-ResponsePDU (established() becomes true) or an Initiate-ErrorPDU for proposals we
  /// cannot accept (the association should then be refused). An undecodable PDU, another PDU
  /// type or a second Initiate is an Error (nothing to send; the caller aborts).
  Result<Bytes> on_initiate(ByteView initiate_request);

  /// Handle one MMS PDU after the Initiate (see ServerOutput). A PDU larger than the negotiated
  /// maximum PDU size is not decoded: RejectPDU pdu-error invalid-pdu, error pdu_too_large.
  Output on_pdu(ByteView pdu);

  /// Whether on_pdu(pdu) may change the shared model (Write, DefineNamedVariableList,
  /// DeleteNamedVariableList), judged from the MMSpdu and service tags only. Anything that cannot
  /// be classified answers true (the safe side: take the exclusive lock).
  [[nodiscard]] static bool may_modify_model(ByteView pdu) noexcept;

  /// Mark a named variable list for unsolicited InformationReports: whenever a member's value
  /// changes, a report with the current values of all members is queued. The list must exist.
  Status enable_report(const ObjectName& nvl);
  void disable_report(const ObjectName& nvl);
  /// The InformationReport PDUs queued since the last call, oldest first.
  [[nodiscard]] std::vector<Bytes> take_reports();
  /// Reports dropped because the queue was full or a report exceeded the PDU size.
  [[nodiscard]] std::size_t dropped_reports() const noexcept { return dropped_reports_; }

  /// While held, responses to confirmed requests are computed but kept (the requests stay
  /// outstanding) until release(): models an application that answers later, and lets the
  /// max-services-outstanding limit bite.
  void hold(bool on) noexcept { hold_ = on; }
  /// The held responses, in request order; the requests stop being outstanding.
  [[nodiscard]] std::vector<Bytes> release();
  [[nodiscard]] std::size_t outstanding() const noexcept { return held_.size(); }

  [[nodiscard]] bool established() const noexcept { return established_; }
  [[nodiscard]] bool concluded() const noexcept { return concluded_; }
  /// The negotiated parameters (the Initiate-ResponsePDU sent); meaningful once established().
  [[nodiscard]] const InitiateParameters& negotiated() const noexcept { return negotiated_; }
  [[nodiscard]] const ServerOptions& options() const noexcept { return options_; }

 private:
  struct Held {
    InvokeId invoke_id;
    Bytes pdu;
  };

  void handle_confirmed(const ConfirmedRequestPdu& req, Output& out);
  Pdu dispatch(const ConfirmedRequestPdu& req);
  Pdu get_name_list(InvokeId id, const GetNameListRequest& req) const;
  /// After a successful write of `written`: follow the report controls whose RptEna it covers.
  void apply_report_controls(const ObjectName& written);
  void on_change(const ObjectName& variable, std::string_view path);
  void queue_report(const ObjectName& nvl);
  [[nodiscard]] std::size_t pdu_limit() const noexcept;

  Vmd* vmd_;
  ServerIdentity identity_;
  ServerOptions options_;
  InitiateParameters negotiated_;
  bool established_ = false;
  bool concluded_ = false;
  bool hold_ = false;
  std::vector<Held> held_;
  std::vector<ObjectName> reports_enabled_;
  std::deque<Bytes> reports_;
  std::size_t dropped_reports_ = 0;
  std::size_t subscription_ = 0;
};

}  // namespace mmssec::mms
