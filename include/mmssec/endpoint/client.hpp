// SPDX-License-Identifier: Apache-2.0
// The MMS client endpoint: stack::Association + mms::ClientSession driven over a net::Loop
// connection.
//
// AsyncClient is event-driven. Every call may be made from any thread: it queues the operation
// and hands it to the connection's thread through net::Link. Completion callbacks run on the
// connection's loop thread (once the connection is gone: on some loop thread), each exactly once.
// Callbacks must not block and must not throw; they may call the client again.
//
// Client is the synchronous form for one application thread: the same operations, each blocking
// until its AsyncClient callback ran (bounded by the configured timeouts). It is built on
// AsyncClient, so both share one code path.
//
// Errors are endpoint::Failure values: a code to branch on and a readable detail naming the ACSE
// result/diagnostic of a refused association, the MMS error class/code of a ServiceError, the
// reject reason of a RejectPDU, the DataAccessError of one variable, or the timeout that expired.
#pragma once

#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "mmssec/acse/acse.hpp"
#include "mmssec/endpoint/error.hpp"
#include "mmssec/mms/client.hpp"
#include "mmssec/mms/data.hpp"
#include "mmssec/mms/pdu.hpp"
#include "mmssec/net/connection.hpp"
#include "mmssec/stack/association.hpp"

namespace mmssec::net {
class Loop;
}  // namespace mmssec::net

namespace mmssec::endpoint {

// ---------------------------------------------------------------------------------------------
// Outcome: a value or a Failure
// ---------------------------------------------------------------------------------------------

/// The result of a client operation: a value or a Failure (never both, never neither).
template <class T>
class [[nodiscard]] Outcome {
 public:
  using value_type = T;

  Outcome(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Outcome(Failure failure)
      : v_(std::in_place_index<1>, std::move(failure)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// Precondition: ok().
  T& value() & {
    assert(ok());
    return *std::get_if<0>(&v_);
  }
  const T& value() const& {
    assert(ok());
    return *std::get_if<0>(&v_);
  }
  T&& value() && {
    assert(ok());
    return std::move(*std::get_if<0>(&v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// Precondition: !ok().
  [[nodiscard]] const Failure& failure() const {
    assert(!ok());
    return *std::get_if<1>(&v_);
  }
  /// The failure's code; an empty error_code when ok().
  [[nodiscard]] std::error_code code() const { return ok() ? std::error_code{} : failure().code; }

 private:
  std::variant<T, Failure> v_;
};

/// An operation without a value: success or a Failure.
template <>
class [[nodiscard]] Outcome<void> {
 public:
  using value_type = void;

  Outcome() = default;
  Outcome(Failure failure) : f_(std::move(failure)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return !f_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  /// Precondition: !ok().
  [[nodiscard]] const Failure& failure() const {
    assert(!ok());
    return *f_;
  }
  [[nodiscard]] std::error_code code() const { return ok() ? std::error_code{} : f_->code; }

 private:
  std::optional<Failure> f_;
};

/// A completion callback.
template <class T>
using Callback = std::function<void(Outcome<T>)>;

/// One result per variable of a multi-variable read (access_error for a DataAccessError).
using ReadResults = std::vector<Outcome<mms::Data>>;
/// One result per variable of a multi-variable write.
using WriteResults = std::vector<Outcome<void>>;

// ---------------------------------------------------------------------------------------------
// Configuration and information
// ---------------------------------------------------------------------------------------------

struct ClientConfig {
  /// IP literal or host name of the server.
  std::string host = "127.0.0.1";
  /// ISO transport over TCP (RFC 1006).
  std::uint16_t port = 102;
  /// Resolve + TCP connect.
  std::chrono::milliseconds connect_timeout{5'000};
  /// AARQ sent until the AARE arrives.
  std::chrono::milliseconds association_timeout{10'000};
  /// A confirmed request on the wire until its answer arrives. When it expires the request fails
  /// with Errc::timeout and the association is aborted (the state of that invokeID at the server
  /// is unknown afterwards); the other requests fail with Errc::aborted.
  std::chrono::milliseconds request_timeout{10'000};
  /// Conclude-Request sent until the association is released (Conclude + ACSE release). When it
  /// expires the release fails with Errc::timeout and the association is aborted.
  std::chrono::milliseconds release_timeout{5'000};
  /// Requests queued in the client beyond the negotiated outstanding limit (they are sent as
  /// answers come in). Beyond this a request fails at once with Errc::invalid_state.
  std::size_t max_queued_requests = 100'000;
  /// Addressing (selectors, AP titles) and decoder limits of the OSI association.
  stack::Config stack{};
  /// What the MMS Initiate proposes (outstanding requests, PDU size, ...).
  mms::ClientOptions mms{};
  /// Wraps the connection's handler (the TLS T-profile: tls::Context::decorator("host:port")).
  /// Empty = plain RFC 1006. With a decorator, operations submitted while the TCP connection is
  /// still being set up wait for it (at most connect_timeout).
  net::HandlerDecorator wrap_connection;
};

/// What the association negotiated.
struct AssociationInfo {
  std::string peer;                    ///< "127.0.0.1:102"
  mms::InitiateParameters negotiated;  ///< from the Initiate-ResponsePDU
  std::optional<acse::Aare> aare;      ///< the accepting AARE
};

/// Counters of one client (a consistent-per-field snapshot).
struct ClientStats {
  std::uint64_t requests_sent = 0;      ///< confirmed requests put on the wire
  std::uint64_t requests_answered = 0;  ///< responses, ServiceErrors and Rejects matched to one
  std::uint64_t reports = 0;            ///< InformationReports received
  std::uint64_t protocol_errors = 0;    ///< PDUs the MMS session refused (answered with a Reject)
  /// The most requests that were outstanding on the wire at once (never above the negotiated
  /// limit).
  std::uint64_t max_outstanding_seen = 0;
};

// ---------------------------------------------------------------------------------------------
// AsyncClient
// ---------------------------------------------------------------------------------------------

class AsyncClient {
 public:
  /// A client on `loop` (which must outlive it and its connection; Loop::stop() closes the
  /// connection, failing what is pending). Nothing happens before connect().
  static std::shared_ptr<AsyncClient> create(net::Loop& loop, ClientConfig config);
  /// Aborts a live association (pending callbacks then fail with Errc::aborted).
  ~AsyncClient();
  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;

  /// Connect and associate (once per client). Completes with what was negotiated, or with
  /// connect_failed ("connection refused by 127.0.0.1:102"), association_rejected (the ACSE
  /// result and diagnostic), initiate_refused (the MMS Initiate-ErrorPDU), timeout or aborted.
  /// Requests made before the association is up are queued and sent once it is.
  void connect(Callback<AssociationInfo> done);

  /// Any confirmed service. A ServiceError completes with Errc::service_error (detail
  /// "access: object-non-existent"), a RejectPDU with Errc::rejected. Requests beyond the
  /// negotiated outstanding limit wait in the client (pipelining).
  void request(mms::ConfirmedServiceRequest service, Callback<mms::ConfirmedServiceResponse> done);

  void identify(Callback<mms::IdentifyResponse> done);
  /// One GetNameList exchange (one page; more_follows tells whether there is more).
  void get_name_list(mms::GetNameListRequest req, Callback<mms::GetNameListResponse> done);
  /// All names of a GetNameList query: follows moreFollows with continueAfter until the list is
  /// complete (at most stack.limits.mms_max_list_elements * 16 names).
  void list_names(mms::GetNameListRequest req, Callback<std::vector<std::string>> done);
  /// All domains (logical devices).
  void list_domains(Callback<std::vector<std::string>> done);
  /// All named variables of a domain (with every flattened `$` component the server lists).
  void list_variables(std::string domain, Callback<std::vector<std::string>> done);
  /// All named variable lists (data sets) of a domain.
  void list_variable_lists(std::string domain, Callback<std::vector<std::string>> done);
  void get_variable_access_attributes(mms::ObjectName name,
                                      Callback<mms::GetVariableAccessAttributesResponse> done);
  /// Read one variable: a DataAccessError completes with Errc::access_error
  /// (detail "LD0/X: object-non-existent").
  void read(mms::ObjectName name, Callback<mms::Data> done);
  /// Read several variables in one request: one Outcome per name, in order.
  void read(std::vector<mms::ObjectName> names, Callback<ReadResults> done);
  /// Read a named variable list (data set): one Outcome per member.
  void read_list(mms::ObjectName list, Callback<ReadResults> done);
  void write(mms::ObjectName name, mms::Data value, Callback<void> done);
  /// Write several variables in one request (names.size() == values.size()).
  void write(std::vector<mms::ObjectName> names, std::vector<mms::Data> values, Callback<WriteResults> done);
  /// Write a value given as text (endpoint/reference.hpp syntax): the variable's type is fetched
  /// with GetVariableAccessAttributes, the text parsed against it (invalid_argument when it does
  /// not fit), then written.
  void write_text(mms::ObjectName name, std::string text, Callback<void> done);

  /// Orderly release: waits for the outstanding requests, sends MMS Conclude, then the ACSE
  /// release. A refused Conclude completes with service_error/rejected and the association stays
  /// up. Requests made after release() fail with invalid_state.
  void release(Callback<void> done);
  /// Abort the association (ACSE ABRT) and close. Pending operations fail with Errc::aborted.
  void abort();

  /// Called for every InformationReport, on the connection's thread. Set it before connect() or
  /// at any time (thread-safe).
  void on_report(std::function<void(const mms::InformationReport&)> fn);
  /// Called once when the connection is gone: nullopt after an orderly release, else why
  /// (aborted, closed, timeout, connect_failed, association_rejected, ...).
  void on_closed(std::function<void(const std::optional<Failure>&)> fn);

  /// True between a successful association and its end.
  [[nodiscard]] bool associated() const noexcept;
  [[nodiscard]] ClientStats stats() const noexcept;
  [[nodiscard]] const ClientConfig& config() const noexcept;

  struct Core;

 private:
  explicit AsyncClient(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

// ---------------------------------------------------------------------------------------------
// Client (synchronous)
// ---------------------------------------------------------------------------------------------

/// The blocking client: every call waits for its AsyncClient callback. Use it from one
/// application thread, never from a loop thread (that would wait on itself).
class Client {
 public:
  /// With a loop of its own (one thread), stopped when the Client is destroyed.
  explicit Client(ClientConfig config);
  /// On a borrowed loop that must outlive the Client.
  Client(net::Loop& loop, ClientConfig config);
  /// Aborts a live association.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Outcome<AssociationInfo> connect();
  Outcome<mms::ConfirmedServiceResponse> request(mms::ConfirmedServiceRequest service);
  Outcome<mms::IdentifyResponse> identify();
  Outcome<mms::GetNameListResponse> get_name_list(mms::GetNameListRequest req);
  Outcome<std::vector<std::string>> list_names(mms::GetNameListRequest req);
  Outcome<std::vector<std::string>> list_domains();
  Outcome<std::vector<std::string>> list_variables(std::string domain);
  Outcome<std::vector<std::string>> list_variable_lists(std::string domain);
  Outcome<mms::GetVariableAccessAttributesResponse> get_variable_access_attributes(mms::ObjectName name);
  Outcome<mms::Data> read(mms::ObjectName name);
  Outcome<ReadResults> read(std::vector<mms::ObjectName> names);
  Outcome<ReadResults> read_list(mms::ObjectName list);
  Outcome<void> write(mms::ObjectName name, mms::Data value);
  Outcome<WriteResults> write(std::vector<mms::ObjectName> names, std::vector<mms::Data> values);
  Outcome<void> write_text(mms::ObjectName name, std::string text);
  Outcome<void> release();
  void abort();

  /// The next InformationReport (oldest first), waiting up to `timeout`; nullopt if none came.
  /// Reports are kept from connect() on (at most ClientConfig::mms.max_pending_reports; the
  /// oldest are dropped beyond that).
  std::optional<mms::InformationReport> next_report(std::chrono::milliseconds timeout);

  /// Why the connection ended: nullopt while it is up or after an orderly release.
  [[nodiscard]] std::optional<Failure> close_reason() const;
  [[nodiscard]] bool associated() const noexcept;
  [[nodiscard]] ClientStats stats() const noexcept;
  /// The underlying asynchronous client (e.g. to pipeline requests).
  [[nodiscard]] AsyncClient& async() noexcept { return *client_; }

 private:
  struct Reports;
  void init();

  std::unique_ptr<net::Loop> own_loop_;
  std::shared_ptr<AsyncClient> client_;
  std::shared_ptr<Reports> reports_;
};

}  // namespace mmssec::endpoint
