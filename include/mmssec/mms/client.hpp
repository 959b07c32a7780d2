// SPDX-License-Identifier: Apache-2.0
// The MMS client side of one association, sans-I/O: builds the Initiate-RequestPDU an IEC 61850
// client sends, takes the negotiated values from the Initiate response, encodes confirmed
// requests with fresh invokeIDs within the negotiated outstanding budget, and matches
// responses, errors and rejects to the requests by invokeID. InformationReports are queued
// separately (take_reports()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <variant>
#include <vector>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/mms/data.hpp"
#include "mmssec/mms/pdu.hpp"
#include "mmssec/mms/server.hpp"  // SessionErrc

namespace mmssec::mms {

/// What the client proposes in its Initiate-RequestPDU.
struct ClientOptions {
  /// proposedMaxServOutstandingCalling: requests we want to have open at once.
  std::int16_t max_outstanding_calling = 16;
  /// proposedMaxServOutstandingCalled.
  std::int16_t max_outstanding_called = 16;
  /// localDetailCalling: the largest PDU we accept, in octets.
  std::int32_t max_pdu_size = 65000;
  /// proposedDataStructureNestingLevel.
  std::int8_t nesting_level = 10;
  BitStringValue parameter_cbb = iec61850_parameter_cbb();
  BitStringValue services_supported = iec61850_client_services();
  /// InformationReports kept for take_reports(); beyond this the oldest is dropped.
  std::size_t max_pending_reports = 256;
  Limits limits = default_limits();

  /// Defaults with the MMS fields of `limits` (mms_max_outstanding, mms_max_pdu_size).
  static ClientOptions from(const Limits& limits);
};

/// An encoded confirmed request and the invokeID it carries.
struct ClientRequest {
  InvokeId invoke_id = 0;
  Bytes pdu;
};

/// The end of one confirmed request (or of the Conclude).
struct Completion {
  InvokeId invoke_id = 0;     ///< 0 for the Conclude
  std::uint32_t service = 0;  ///< service tag of the request (service::k*); unused for the Conclude
  bool conclude = false;      ///< this completes the Conclude-Request
  /// The response, the Confirmed-/Conclude-ErrorPDU's ServiceError, or the peer's RejectPDU.
  /// A Conclude-ResponsePDU completes with `conclude` set and a ConcludeResponsePdu outcome.
  std::variant<ConfirmedServiceResponse, ServiceError, RejectPdu, ConcludeResponsePdu> outcome;

  [[nodiscard]] const ConfirmedServiceResponse* response() const noexcept {
    return std::get_if<ConfirmedServiceResponse>(&outcome);
  }
  template <class T>
  [[nodiscard]] const T* get() const noexcept {
    const auto* r = response();
    return r == nullptr ? nullptr : std::get_if<T>(r);
  }
  [[nodiscard]] const ServiceError* service_error() const noexcept {
    return std::get_if<ServiceError>(&outcome);
  }
  [[nodiscard]] const RejectPdu* reject() const noexcept { return std::get_if<RejectPdu>(&outcome); }
};

/// The outcome of one received PDU.
struct ClientOutput {
  std::optional<Completion> completion;
  /// PDUs to send (a RejectPDU for what could not be decoded or matched).
  std::vector<Bytes> send;
  /// A protocol or decode failure (unknown invokeID, undecodable PDU, ...).
  std::optional<Error> error;
};

class ClientSession {
 public:
  using Output = ClientOutput;

  explicit ClientSession(ClientOptions options = {});

  /// The Initiate-RequestPDU to put into the AARQ.
  [[nodiscard]] Bytes initiate_request() const;
  /// Take the Initiate-ResponsePDU (negotiated values, established() becomes true). An
  /// Initiate-ErrorPDU fails with SessionErrc::initiate_refused (initiate_error() holds it);
  /// a response whose values exceed the proposal fails with Errc::value_out_of_range.
  Result<InitiateParameters> on_initiate_response(ByteView pdu);

  // ---- confirmed requests (fail with not_initiated, concluded or too_many_outstanding)
  Result<ClientRequest> request(ConfirmedServiceRequest service);
  Result<ClientRequest> identify();
  Result<ClientRequest> status();
  Result<ClientRequest> get_name_list(GetNameListRequest req);
  Result<ClientRequest> read(ReadRequest req);
  Result<ClientRequest> read(ObjectName name);  ///< one named variable
  Result<ClientRequest> write(WriteRequest req);
  Result<ClientRequest> write(ObjectName name, Data value);  ///< one named variable
  Result<ClientRequest> get_variable_access_attributes(ObjectName name);
  Result<ClientRequest> define_named_variable_list(ObjectName name, std::vector<ObjectName> members);
  Result<ClientRequest> get_named_variable_list_attributes(ObjectName name);
  Result<ClientRequest> delete_named_variable_list(std::vector<ObjectName> names);
  /// The Conclude-RequestPDU. Fails with SessionErrc::too_many_outstanding while requests are
  /// outstanding (a requester concludes only when nothing is pending); no requests are accepted
  /// while the Conclude is pending.
  Result<Bytes> conclude();

  /// Handle one PDU from the server.
  Output on_pdu(ByteView pdu);

  /// InformationReports received since the last call, oldest first.
  [[nodiscard]] std::vector<InformationReport> take_reports();

  [[nodiscard]] bool established() const noexcept { return established_; }
  [[nodiscard]] bool concluded() const noexcept { return concluded_; }
  [[nodiscard]] const InitiateParameters& negotiated() const noexcept { return negotiated_; }
  [[nodiscard]] const std::optional<ServiceError>& initiate_error() const noexcept { return initiate_error_; }
  [[nodiscard]] std::size_t outstanding() const noexcept { return outstanding_.size(); }
  /// Requests we may have open (negotiatedMaxServOutstandingCalling).
  [[nodiscard]] std::size_t max_outstanding() const noexcept;
  /// The next invokeID to be used (for tests of the wrap).
  void set_next_invoke_id(InvokeId id) noexcept { next_invoke_id_ = id; }

 private:
  Result<InvokeId> allocate();
  [[nodiscard]] std::size_t pdu_limit() const noexcept;

  ClientOptions options_;
  InitiateParameters negotiated_;
  std::optional<ServiceError> initiate_error_;
  bool established_ = false;
  bool concluded_ = false;
  bool conclude_pending_ = false;
  InvokeId next_invoke_id_ = 1;
  std::map<InvokeId, std::uint32_t> outstanding_;  ///< invokeID -> service tag
  std::deque<InformationReport> reports_;
};

}  // namespace mmssec::mms
