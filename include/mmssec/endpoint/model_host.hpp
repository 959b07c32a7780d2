// SPDX-License-Identifier: Apache-2.0
// The naming model a network server shares between all its associations: one mms::Vmd behind a
// readers/writer lock.
//
// Locking rule (docs/server.md): every call into an mms::ServerSession holds at least the shared
// lock; the calls that may change the model (ServerSession::may_modify_model()), the session's
// constructor and destructor (they subscribe to and unsubscribe from the Vmd) and every
// application update hold the exclusive lock. The Vmd's change hook, which runs each session's
// report check, therefore only ever fires under the exclusive lock and never races a session.
//
// The lock prefers writers: while an update() waits, new readers queue behind it, so a stream of
// client reads on many connections cannot starve the application's measurement updates.
#pragma once

#include <mutex>
#include <shared_mutex>
#include <utility>

#include "mmssec/core/limits.hpp"
#include "mmssec/mms/model.hpp"

namespace mmssec::endpoint {

class ModelHost {
 public:
  explicit ModelHost(const Limits& limits = default_limits()) : vmd_(limits) {}
  ModelHost(const ModelHost&) = delete;
  ModelHost& operator=(const ModelHost&) = delete;
  ModelHost(ModelHost&&) = delete;
  ModelHost& operator=(ModelHost&&) = delete;

  /// Change the model: `fn(mms::Vmd&)` runs under the exclusive lock and its result is returned.
  /// Value changes fire the change hook inside, which queues InformationReports for the
  /// associations that enabled an affected data set; a server delivers them on each association's
  /// own thread afterwards. `fn` must not call back into this ModelHost (the lock is not
  /// recursive) and must not keep references into the Vmd beyond the call.
  ///
  ///   host->update([&](mms::Vmd& vmd) { return mms::update_measurements(vmd, t); });
  template <class F>
  decltype(auto) update(F&& fn) {
    const std::unique_lock lock(mu_);
    return std::forward<F>(fn)(vmd_);
  }

  /// Look at the model: `fn(const mms::Vmd&)` runs under the shared lock.
  template <class F>
  decltype(auto) read(F&& fn) const {
    const std::shared_lock lock(mu_);
    return std::forward<F>(fn)(std::as_const(vmd_));
  }

  /// For the server glue: `fn(mms::Vmd&)` under the shared lock. Only for code that does not
  /// change the Vmd (an mms::ServerSession handling a PDU that may_modify_model() calls
  /// read-only, or taking its queued reports): the Vmd is non-const only because sessions hold it
  /// that way.
  template <class F>
  decltype(auto) shared_access(F&& fn) {
    const std::shared_lock lock(mu_);
    return std::forward<F>(fn)(vmd_);
  }

 private:
  /// std::shared_mutex with a turnstile in front: a writer holds `gate_` while it waits for the
  /// readers inside to leave; a reader passes the gate (lock, unlock) before taking its share.
  /// Never taken recursively (a reader inside does not come back to the gate).
  class WriterPreferringMutex {
   public:
    void lock() {
      const std::lock_guard gate(gate_);
      rw_.lock();
    }
    void unlock() { rw_.unlock(); }
    void lock_shared() {
      { const std::lock_guard gate(gate_); }
      rw_.lock_shared();
    }
    void unlock_shared() { rw_.unlock_shared(); }

   private:
    std::mutex gate_;
    std::shared_mutex rw_;
  };

  mutable WriterPreferringMutex mu_;
  mms::Vmd vmd_;
};

}  // namespace mmssec::endpoint
