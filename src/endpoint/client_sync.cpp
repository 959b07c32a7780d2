// SPDX-License-Identifier: Apache-2.0
// Client: the blocking form of AsyncClient. Each call starts the asynchronous operation with a
// callback that fulfils a promise and waits for it. AsyncClient completes every operation
// exactly once (answer, failure, timeout or close), so the wait always ends while the loop runs;
// the loop is ours or outlives us by contract.
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <utility>

#include "mmssec/endpoint/client.hpp"
#include "mmssec/net/loop.hpp"

namespace mmssec::endpoint {

namespace {

template <class T, class Start>
Outcome<T> wait(Start&& start) {
  auto promise = std::make_shared<std::promise<Outcome<T>>>();
  std::future<Outcome<T>> future = promise->get_future();
  start(Callback<T>([promise](Outcome<T> r) { promise->set_value(std::move(r)); }));
  return future.get();
}

}  // namespace

/// Reports and the close reason, shared with callbacks that may outlive the Client (borrowed loop).
struct Client::Reports {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<mms::InformationReport> queue;
  std::size_t max = 256;
  std::optional<Failure> close_reason;
};

Client::Client(ClientConfig config) : own_loop_(std::make_unique<net::Loop>(1)) {
  client_ = AsyncClient::create(*own_loop_, std::move(config));
  init();
}

Client::Client(net::Loop& loop, ClientConfig config) : client_(AsyncClient::create(loop, std::move(config))) {
  init();
}

void Client::init() {
  reports_ = std::make_shared<Reports>();
  reports_->max = client_->config().mms.max_pending_reports;
  client_->on_report([r = reports_](const mms::InformationReport& report) {
    {
      const std::lock_guard lock(r->mu);
      if (r->max == 0) return;
      if (r->queue.size() >= r->max) r->queue.pop_front();
      r->queue.push_back(report);
    }
    r->cv.notify_all();
  });
  client_->on_closed([r = reports_](const std::optional<Failure>& why) {
    const std::lock_guard lock(r->mu);
    r->close_reason = why;
  });
}

Client::~Client() {
  if (client_->associated()) client_->abort();
  // Our loop: stopping it closes the connection (pending callbacks run) and joins the thread.
  if (own_loop_) own_loop_->stop();
  client_.reset();
}

Outcome<AssociationInfo> Client::connect() {
  return wait<AssociationInfo>([this](Callback<AssociationInfo> cb) { client_->connect(std::move(cb)); });
}

Outcome<mms::ConfirmedServiceResponse> Client::request(mms::ConfirmedServiceRequest service) {
  return wait<mms::ConfirmedServiceResponse>([this, &service](Callback<mms::ConfirmedServiceResponse> cb) {
    client_->request(std::move(service), std::move(cb));
  });
}

Outcome<mms::IdentifyResponse> Client::identify() {
  return wait<mms::IdentifyResponse>(
      [this](Callback<mms::IdentifyResponse> cb) { client_->identify(std::move(cb)); });
}

Outcome<mms::GetNameListResponse> Client::get_name_list(mms::GetNameListRequest req) {
  return wait<mms::GetNameListResponse>([this, &req](Callback<mms::GetNameListResponse> cb) {
    client_->get_name_list(std::move(req), std::move(cb));
  });
}

Outcome<std::vector<std::string>> Client::list_names(mms::GetNameListRequest req) {
  return wait<std::vector<std::string>>([this, &req](Callback<std::vector<std::string>> cb) {
    client_->list_names(std::move(req), std::move(cb));
  });
}

Outcome<std::vector<std::string>> Client::list_domains() {
  return wait<std::vector<std::string>>(
      [this](Callback<std::vector<std::string>> cb) { client_->list_domains(std::move(cb)); });
}

Outcome<std::vector<std::string>> Client::list_variables(std::string domain) {
  return wait<std::vector<std::string>>([this, &domain](Callback<std::vector<std::string>> cb) {
    client_->list_variables(std::move(domain), std::move(cb));
  });
}

Outcome<std::vector<std::string>> Client::list_variable_lists(std::string domain) {
  return wait<std::vector<std::string>>([this, &domain](Callback<std::vector<std::string>> cb) {
    client_->list_variable_lists(std::move(domain), std::move(cb));
  });
}

Outcome<mms::GetVariableAccessAttributesResponse> Client::get_variable_access_attributes(
    mms::ObjectName name) {
  return wait<mms::GetVariableAccessAttributesResponse>(
      [this, &name](Callback<mms::GetVariableAccessAttributesResponse> cb) {
        client_->get_variable_access_attributes(std::move(name), std::move(cb));
      });
}

Outcome<mms::Data> Client::read(mms::ObjectName name) {
  return wait<mms::Data>(
      [this, &name](Callback<mms::Data> cb) { client_->read(std::move(name), std::move(cb)); });
}

Outcome<ReadResults> Client::read(std::vector<mms::ObjectName> names) {
  return wait<ReadResults>(
      [this, &names](Callback<ReadResults> cb) { client_->read(std::move(names), std::move(cb)); });
}

Outcome<ReadResults> Client::read_list(mms::ObjectName list) {
  return wait<ReadResults>(
      [this, &list](Callback<ReadResults> cb) { client_->read_list(std::move(list), std::move(cb)); });
}

Outcome<void> Client::write(mms::ObjectName name, mms::Data value) {
  return wait<void>([this, &name, &value](Callback<void> cb) {
    client_->write(std::move(name), std::move(value), std::move(cb));
  });
}

Outcome<WriteResults> Client::write(std::vector<mms::ObjectName> names, std::vector<mms::Data> values) {
  return wait<WriteResults>([this, &names, &values](Callback<WriteResults> cb) {
    client_->write(std::move(names), std::move(values), std::move(cb));
  });
}

Outcome<void> Client::write_text(mms::ObjectName name, std::string text) {
  return wait<void>([this, &name, &text](Callback<void> cb) {
    client_->write_text(std::move(name), std::move(text), std::move(cb));
  });
}

Outcome<void> Client::release() {
  return wait<void>([this](Callback<void> cb) { client_->release(std::move(cb)); });
}

void Client::abort() { client_->abort(); }

std::optional<mms::InformationReport> Client::next_report(std::chrono::milliseconds timeout) {
  std::unique_lock lock(reports_->mu);
  if (!reports_->cv.wait_for(lock, timeout, [this] { return !reports_->queue.empty(); })) return std::nullopt;
  mms::InformationReport r = std::move(reports_->queue.front());
  reports_->queue.pop_front();
  return r;
}

std::optional<Failure> Client::close_reason() const {
  const std::lock_guard lock(reports_->mu);
  return reports_->close_reason;
}

bool Client::associated() const noexcept { return client_->associated(); }

ClientStats Client::stats() const noexcept { return client_->stats(); }

}  // namespace mmssec::endpoint
