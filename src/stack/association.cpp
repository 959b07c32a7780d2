// SPDX-License-Identifier: Apache-2.0
// The wiring of TPKT → COTP → session → presentation → ACSE for one MMS association. Each layer is
// a sans-I/O machine of its own; this file only routes their outputs: downward requests become
// bytes for the network, upward events become the next layer's input. See association.hpp for the
// service mapping.
#include "mmssec/stack/association.hpp"

#include <algorithm>
#include <utility>

#include "mmssec/acse/association.hpp"
#include "mmssec/cotp/connection.hpp"
#include "mmssec/presentation/connection.hpp"
#include "mmssec/session/connection.hpp"
#include "mmssec/tpkt/tpkt.hpp"

namespace mmssec::stack {

const char* state_name(State s) noexcept {
  switch (s) {
    case State::idle: return "idle";
    case State::connecting: return "connecting";
    case State::awaiting_decision: return "awaiting-decision";
    case State::associated: return "associated";
    case State::releasing: return "releasing";
    case State::closed: return "closed";
  }
  return "unknown";
}

void Output::clear() {
  // Bounded (two buffers of at most 4 KiB), so that an idle association holds little memory and
  // a large PDU is not kept for the connection's life.
  constexpr std::size_t kMaxSpare = 2;
  constexpr std::size_t kMaxSpareCapacity = 4096;
  send.clear();
  for (Event& e : events) {
    auto* d = std::get_if<MmsData>(&e);
    if (d != nullptr && spare.size() < kMaxSpare && d->pdu.capacity() <= kMaxSpareCapacity)
      spare.push_back(std::move(d->pdu));
  }
  events.clear();
  close = false;
}

namespace {

using presentation::ContextId;
using presentation::Pdv;
using presentation::SessionService;

Failure failure_of(const Error& e) { return Failure{e.code.category().name(), e}; }

/// The MMS PDU in an ACSE user-information: the single-ASN1-type EXTERNAL on the MMS context
/// (indirect reference), else one with the BER direct reference, else the first single-ASN1-type.
Bytes mms_from_user_information(const std::optional<acse::UserInformation>& ui,
                                std::optional<ContextId> mms_ctx) {
  if (!ui) return {};
  const ber::External* fallback = nullptr;
  for (const auto& ext : *ui) {
    if (ext.encoding != ber::External::Encoding::single_asn1_type) continue;
    if (mms_ctx && ext.indirect_reference && *ext.indirect_reference == static_cast<std::int64_t>(*mms_ctx))
      return ext.data;
    if (!fallback) fallback = &ext;
  }
  return fallback ? fallback->data : Bytes{};
}

acse::UserInformation user_information_for(ByteView mms_pdu, ContextId mms_ctx) {
  ber::External ext;
  ext.indirect_reference = static_cast<std::int64_t>(mms_ctx);
  ext.encoding = ber::External::Encoding::single_asn1_type;
  ext.data.assign(mms_pdu.begin(), mms_pdu.end());
  return acse::UserInformation{std::move(ext)};
}

constexpr ContextId kDefaultAcseContext = 1;
constexpr ContextId kDefaultMmsContext = 3;

}  // namespace

struct Association::Impl {
  Role role;
  Config cfg;
  Acceptor acceptor;
  tpkt::Framer framer;
  cotp::Connection cotp;
  session::Connection session;
  presentation::Connection pres;
  acse::Association acse;
  State state = State::idle;
  Bytes initiate;  // client: the Initiate-RequestPDU to send once the transport is up
  std::optional<ContextId> acse_ctx;
  std::optional<ContextId> mms_ctx;
  std::optional<acse::Aarq> aarq;
  Output out;
  Bytes td_scratch;  // the TD-PPDU of the data-transfer fast path, reused between PDUs
  static constexpr std::size_t kMaxScratch = 4096;

  Impl(Role r, Config c, Acceptor a)
      : role(r),
        cfg(std::move(c)),
        acceptor(std::move(a)),
        framer(cfg.limits),
        cotp(r == Role::client ? cotp::Role::initiator : cotp::Role::responder, cotp_config(r, cfg),
             cfg.limits),
        session(r == Role::client ? session::Role::initiator : session::Role::responder, session_config(cfg),
                cfg.limits),
        pres(r == Role::client ? presentation::Connection::initiator(pres_config(cfg))
                               : presentation::Connection::responder(pres_config(cfg))),
        acse(r == Role::client ? acse::Role::initiator : acse::Role::responder, cfg.limits) {}

  static cotp::ConnectionConfig cotp_config(Role r, const Config& c) {
    cotp::ConnectionConfig cc;
    if (r == Role::client) {
      cc.calling_tsap = c.addressing.calling_tsap;
      cc.called_tsap = c.addressing.called_tsap;
    }
    return cc;
  }
  static session::Config session_config(const Config& c) {
    session::Config sc;
    sc.calling_selector = c.addressing.calling_session_selector;
    sc.called_selector = c.addressing.called_session_selector;
    return sc;
  }
  static presentation::ConnectionConfig pres_config(const Config& c) {
    presentation::ConnectionConfig pc;
    pc.limits = c.limits;
    return pc;
  }

  Output take() {
    Output o = std::move(out);
    out = Output{};
    return o;
  }

  // ------------------------------------------------------------------ endings

  void close() {
    if (state != State::closed) {
      state = State::closed;
      out.close = true;
    }
  }

  void aborted(bool by_peer, std::string reason, std::optional<Failure> failure = std::nullopt) {
    if (state == State::closed) return;
    out.events.emplace_back(Aborted{by_peer, std::move(reason), std::move(failure)});
    close();
  }

  /// An error of our own wiring or of a local request that cannot be carried out.
  void local_failure(const Error& e, const char* what) { aborted(false, what, failure_of(e)); }

  // ------------------------------------------------------------------ downward

  void send_tpdus(const std::vector<Bytes>& tpdus) {
    for (const auto& t : tpdus) {
      if (auto s = tpkt::encode(t, out.send); !s) local_failure(s.error(), "cannot frame a TPDU");
    }
  }

  void handle_cotp(cotp::Output&& co) {
    send_tpdus(co.send);
    if (co.error) aborted(false, "transport protocol error", failure_of(*co.error));
    for (auto& ev : co.events) {
      if (std::holds_alternative<cotp::Connected>(ev)) {
        on_transport_connected();
      } else if (auto* d = std::get_if<cotp::Data>(&ev)) {
        on_tsdu(d->tsdu);
      } else if (auto* dc = std::get_if<cotp::Disconnected>(&ev)) {
        if (dc->by_peer) aborted(true, "transport disconnected by the peer");
      }
    }
    if (co.close_network) close();
  }

  void send_tsdus(const std::vector<Bytes>& tsdus) {
    for (const auto& t : tsdus) {
      auto r = cotp.send(t);
      if (!r) {
        local_failure(r.error(), "cannot send on the transport connection");
        return;
      }
      handle_cotp(std::move(*r));
    }
  }

  /// Output of a local session request: send, and close if the session released the transport.
  void handle_session_request(Result<session::Output>&& r, const char* what) {
    if (!r) {
      local_failure(r.error(), what);
      return;
    }
    send_tsdus(r->send);
    if (r->close_transport) close();
  }

  void send_ppdu(Result<presentation::Outgoing>&& o, const char* what) {
    if (!o) {
      local_failure(o.error(), what);
      return;
    }
    switch (o->service) {
      case SessionService::connect: handle_session_request(session.connect(o->ppdu), what); break;
      case SessionService::accept: handle_session_request(session.accept(o->ppdu), what); break;
      case SessionService::refuse: handle_session_request(session.refuse(std::move(o->ppdu)), what); break;
      case SessionService::data: handle_session_request(session.send_data(o->ppdu), what); break;
      case SessionService::release: handle_session_request(session.finish(o->ppdu), what); break;
      case SessionService::release_result: handle_session_request(session.disconnect(o->ppdu), what); break;
      case SessionService::abort: handle_session_request(session.abort(std::move(o->ppdu)), what); break;
    }
  }

  /// Send an ACSE APDU (produced by the ACSE machine) through the presentation service `svc`.
  void send_apdu(SessionService svc, const Bytes& apdu) {
    std::vector<Pdv> pdvs{Pdv::single(acse_ctx.value_or(kDefaultAcseContext), apdu)};
    switch (svc) {
      case SessionService::accept: send_ppdu(pres.accept(std::move(pdvs)), "cannot send the AARE"); break;
      case SessionService::refuse:
        send_ppdu(pres.refuse(std::move(pdvs)), "cannot send the rejecting AARE");
        break;
      case SessionService::release: send_ppdu(pres.release(std::move(pdvs)), "cannot send the RLRQ"); break;
      case SessionService::release_result:
        send_ppdu(pres.release_response(std::move(pdvs)), "cannot send the RLRE");
        break;
      case SessionService::abort: send_ppdu(pres.abort(std::move(pdvs)), "cannot send the ABRT"); break;
      case SessionService::connect:
      case SessionService::data: break;  // AARQ goes through connect(); ACSE never uses P-DATA here
    }
  }

  // ------------------------------------------------------------------ upward

  void receive(ByteView bytes) {
    if (state == State::closed) return;
    if (auto s = framer.feed(bytes); !s) {
      aborted(false, "TPKT framing error", failure_of(s.error()));
      return;
    }
    while (state != State::closed) {
      auto next = framer.next();
      if (!next) {
        aborted(false, "TPKT framing error", failure_of(next.error()));
        return;
      }
      if (!next->has_value()) return;
      on_tpdu(**next, framer.payload_offset());
    }
  }

  // Data transfer takes a fast path: each layer is asked whether the TPDU is its plain data
  // unit (one DT with EOT, GT+DT, a TD with one PDV on a defined context) that its general
  // input would deliver upward unchanged, and hands back a view of the content instead of a
  // copy. Those checks change no state, so anything else (segments, errors, other PDUs) goes
  // through the general input of the layer where the fast path stopped, with the same octets.

  void on_tpdu(ByteView tpdu, std::size_t offset) {
    if (state == State::associated) {
      if (const auto tsdu = cotp.single_dt_tsdu(tpdu)) {
        on_tsdu(*tsdu);
        return;
      }
    }
    handle_cotp(cotp.receive(tpdu, offset));
  }

  void on_session_data(ByteView user_data) {
    if (state == State::associated && mms_ctx) {
      if (const auto pdv = pres.data_view(user_data); pdv && pdv->context_id == *mms_ctx) {
        Bytes pdu;
        if (!out.spare.empty()) {
          pdu = std::move(out.spare.back());
          out.spare.pop_back();
        }
        pdu.assign(pdv->data.begin(), pdv->data.end());
        out.events.emplace_back(MmsData{std::move(pdu)});
        return;
      }
    }
    handle_pres(pres.on_session(SessionService::data, user_data));
  }

  /// One MMS PDU as one TPKT(DT(GT+DT(TD))) appended to `wire` in one pass: the same octets as
  /// the general path (presentation send_data, session send_data, COTP send, TPKT encode) when
  /// the TSDU fits one DT. False (and `wire` unchanged) when any layer declines: the caller
  /// then takes the general path, which also reports the errors.
  bool send_data_fast(ByteView mms_pdu, Bytes& wire) {
    if (!mms_ctx) return false;
    td_scratch.clear();
    if (!pres.encode_data(*mms_ctx, mms_pdu, td_scratch)) return false;
    const std::size_t tsdu_size = session::kDataTsduHeader.size() + td_scratch.size();
    const std::size_t mark = wire.size();
    const std::size_t needed = mark + tpkt::kHeaderSize + cotp::kDtHeaderSize + tsdu_size;
    if (wire.capacity() < needed) wire.reserve(std::max(needed, 2 * wire.capacity()));  // stay geometric
    const bool fits = tpkt::encode_header(cotp::kDtHeaderSize + tsdu_size, wire) &&
                      cotp.encode_single_dt_header(tsdu_size, wire) && session.encode_data_header(wire);
    if (fits) {
      wire.insert(wire.end(), td_scratch.begin(), td_scratch.end());
    } else {
      wire.resize(mark);
    }
    // Keep the scratch buffer for the usual small PDUs only.
    if (td_scratch.capacity() > kMaxScratch) Bytes().swap(td_scratch);
    return fits;
  }

  void on_transport_connected() {
    if (role != Role::client) return;
    acse::Aarq a;
    a.application_context_name = acse::mms_application_context();
    a.called_ap_title = cfg.addressing.called_ap_title;
    a.called_ae_qualifier = cfg.addressing.called_ae_qualifier;
    a.calling_ap_title = cfg.addressing.calling_ap_title;
    a.calling_ae_qualifier = cfg.addressing.calling_ae_qualifier;
    a.user_information = user_information_for(initiate, kDefaultMmsContext);
    auto ao = acse.associate(a);
    if (!ao || ao->send.empty()) {
      local_failure(ao ? Error{CoreErrc::invalid_argument} : ao.error(), "cannot build the AARQ");
      return;
    }
    aarq = std::move(a);
    presentation::ConnectRequest req;
    req.calling_selector = cfg.addressing.calling_presentation_selector;
    req.called_selector = cfg.addressing.called_presentation_selector;
    req.contexts = presentation::default_contexts();
    req.user_data.push_back(Pdv::single(kDefaultAcseContext, std::move(ao->send.front())));
    send_ppdu(pres.connect(req), "cannot send the presentation connect");
  }

  void on_tsdu(ByteView tsdu) {
    if (state == State::associated) {
      if (const auto user_data = session.data_user_information(tsdu)) {
        on_session_data(*user_data);
        return;
      }
    }
    session::Output so = session.on_tsdu(tsdu);
    send_tsdus(so.send);
    if (so.error) aborted(false, "session protocol error", failure_of(*so.error));
    for (auto& ev : so.events) {
      using K = session::Event::Kind;
      switch (ev.kind) {
        case K::connect_indication:
          handle_pres(pres.on_session(SessionService::connect, ev.user_data));
          break;
        case K::connect_confirm: handle_pres(pres.on_session(SessionService::accept, ev.user_data)); break;
        case K::connect_refused:
          if (role == Role::client) handle_pres(pres.on_session(SessionService::refuse, ev.user_data));
          break;
        case K::data: on_session_data(ev.user_data); break;
        case K::finish_indication: handle_pres(pres.on_session(SessionService::release, ev.user_data)); break;
        case K::disconnect_confirm:
          handle_pres(pres.on_session(SessionService::release_result, ev.user_data));
          break;
        case K::abort_indication: handle_pres(pres.on_session(SessionService::abort, ev.user_data)); break;
        case K::provider_abort: break;  // reported through so.error above
      }
    }
    if (so.close_transport) {
      if (state != State::closed && state != State::releasing) aborted(true, "session ended by the peer");
      close();
    }
  }

  const Pdv* acse_pdv(const std::vector<Pdv>& pdvs) const {
    for (const auto& p : pdvs)
      if (p.context_id == acse_ctx.value_or(kDefaultAcseContext)) return &p;
    return nullptr;
  }

  void learn_contexts() {
    acse_ctx = pres.context_for(presentation::oids::acse_abstract_syntax());
    mms_ctx = pres.context_for(presentation::oids::mms_abstract_syntax());
  }

  void handle_pres(presentation::Output&& po) {
    for (auto& o : po.send) send_ppdu(std::move(o), "cannot send the presentation reaction");
    for (auto& ev : po.events) {
      if (auto* ci = std::get_if<presentation::ConnectIndication>(&ev)) {
        learn_contexts();
        state = State::connecting;
        const Pdv* p = acse_pdv(ci->user_data);
        if (!p) {
          aborted(false, "presentation connect without an ACSE PDV",
                  Failure{"stack", Error{CoreErrc::invalid_argument}});
          continue;
        }
        handle_acse(acse.on_bytes(p->data));
      } else if (auto* cc = std::get_if<presentation::ConnectConfirm>(&ev)) {
        learn_contexts();
        if (const Pdv* p = acse_pdv(cc->user_data)) {
          handle_acse(acse.on_bytes(p->data));
        } else {
          aborted(false, "presentation accept without an AARE",
                  Failure{"stack", Error{CoreErrc::invalid_argument}});
        }
      } else if (auto* cr = std::get_if<presentation::ConnectRefused>(&ev)) {
        if (const Pdv* p = acse_pdv(cr->user_data)) {
          handle_acse(acse.on_bytes(p->data));
        }
        if (state != State::closed) {
          out.events.emplace_back(AssociateRejected{std::nullopt, {}, "presentation connection refused"});
          close();
        }
      } else if (auto* di = std::get_if<presentation::DataIndication>(&ev)) {
        for (auto& p : di->user_data) {
          if (mms_ctx && p.context_id == *mms_ctx && state == State::associated) {
            out.events.emplace_back(MmsData{std::move(p.data)});
          } else {
            abort_with_failure("data on an unexpected presentation context",
                               Failure{"stack", Error{CoreErrc::invalid_argument}});
            return;
          }
        }
      } else if (auto* ri = std::get_if<presentation::ReleaseIndication>(&ev)) {
        if (const Pdv* p = acse_pdv(ri->user_data)) handle_acse(acse.on_bytes(p->data));
      } else if (auto* rc = std::get_if<presentation::ReleaseConfirm>(&ev)) {
        if (const Pdv* p = acse_pdv(rc->user_data)) handle_acse(acse.on_bytes(p->data));
      } else if (auto* ai = std::get_if<presentation::AbortIndication>(&ev)) {
        if (ai->local_cause) {
          aborted(false, "presentation protocol error", failure_of(*ai->local_cause));
        } else {
          std::string reason =
              ai->provider ? "presentation provider abort by the peer" : "aborted by the peer";
          if (const Pdv* p = acse_pdv(ai->user_data)) {
            auto apdu = acse::decode_apdu(p->data, cfg.limits);
            if (apdu) {
              if (const auto* ab = std::get_if<acse::Abrt>(&*apdu)) {
                reason = std::string("ABRT from the peer (") + acse::abort_source_name(ab->source);
                if (ab->diagnostic)
                  reason += std::string(", ") + acse::abort_diagnostic_name(*ab->diagnostic);
                reason += ")";
              }
            }
          }
          aborted(true, std::move(reason));
        }
      }
    }
  }

  void handle_acse(acse::Output&& ao) {
    for (auto& ev : ao.events) {
      using K = acse::Event::Kind;
      switch (ev.kind) {
        case K::associate_indication: {
          aarq = std::get<acse::Aarq>(*ev.apdu);
          AssociateIndication ind{*aarq, mms_from_user_information(aarq->user_information, mms_ctx)};
          state = State::awaiting_decision;
          if (!mms_ctx) {
            Decision d;
            d.accept = false;
            d.diagnostic = acse::UserDiagnostic::application_context_name_not_supported;
            (void)do_reject(d);  // a failure is already reported as an Aborted event
            break;
          }
          if (acceptor) {
            Decision d = acceptor(ind);
            if (d.accept) {
              (void)do_accept(d.mms_pdu);  // failures are reported as Aborted events
            } else {
              (void)do_reject(d);
            }
          } else {
            out.events.emplace_back(std::move(ind));
          }
          break;
        }
        case K::associate_accepted:
          if (role == Role::client) {
            const auto& aare = std::get<acse::Aare>(*ev.apdu);
            state = State::associated;
            out.events.emplace_back(
                Associated{aare, mms_from_user_information(aare.user_information, mms_ctx)});
          }
          break;
        case K::associate_rejected:
          if (role == Role::client) {
            const auto& aare = std::get<acse::Aare>(*ev.apdu);
            std::string reason =
                std::string(acse::result_name(aare.result)) + ": " + acse::describe(aare.diagnostic);
            out.events.emplace_back(AssociateRejected{
                aare, mms_from_user_information(aare.user_information, mms_ctx), std::move(reason)});
            close();
          } else if (!ao.send.empty()) {
            // The ACSE machine rejected on its own (no common ACSE version).
            send_apdu(SessionService::refuse, ao.send.front());
            out.events.emplace_back(AssociateRejected{std::nullopt, {}, "no common ACSE version"});
            close();
          }
          break;
        case K::release_indication: {
          out.events.emplace_back(ReleaseIndication{});
          state = State::releasing;
          auto r = acse.respond_release();
          if (!r || r->send.empty()) {
            local_failure(r ? Error{CoreErrc::invalid_argument} : r.error(), "cannot answer the release");
            break;
          }
          send_apdu(SessionService::release_result, r->send.front());
          out.events.emplace_back(Released{});
          close();
          break;
        }
        case K::release_confirm:
          out.events.emplace_back(Released{});
          close();
          break;
        case K::released: break;
        case K::abort_indication: {
          const auto& ab = std::get<acse::Abrt>(*ev.apdu);
          std::string reason = std::string("ABRT from the peer (") + acse::abort_source_name(ab.source) + ")";
          aborted(true, std::move(reason));
          break;
        }
        case K::provider_abort:
          if (!ao.send.empty()) send_apdu(SessionService::abort, ao.send.front());
          aborted(false, "ACSE protocol error",
                  ao.error ? std::optional<Failure>(failure_of(*ao.error)) : std::nullopt);
          break;
      }
    }
  }

  /// Abort the association because of an error detected here, sending ABRT down the stack.
  void abort_with_failure(std::string reason, Failure f) {
    if (state == State::closed) return;
    send_abort();
    out.events.emplace_back(Aborted{false, std::move(reason), std::move(f)});
    close();
  }

  void send_abort() {
    auto ao = acse.abort();
    if (ao && !ao->send.empty()) {
      send_apdu(SessionService::abort, ao->send.front());
      return;
    }
    // No ACSE association yet: abort the session if there is one, else just drop the transport.
    auto so = session.abort();
    if (so) {
      send_tsdus(so->send);
    }
  }

  // ------------------------------------------------------------------ server decisions

  Status do_accept(ByteView initiate_response) {
    if (state != State::awaiting_decision || !aarq) return Error{CoreErrc::invalid_argument};
    acse::Aare aare = acse::make_accept(
        *aarq, user_information_for(initiate_response, mms_ctx.value_or(kDefaultMmsContext)));
    aare.responding_ap_title = cfg.responding_ap_title;
    aare.responding_ae_qualifier = cfg.responding_ae_qualifier;
    auto r = acse.respond(aare);
    if (!r || r->send.empty()) {
      const Error e = r ? Error{CoreErrc::invalid_argument} : r.error();
      local_failure(e, "cannot send the AARE");
      return e;
    }
    send_apdu(SessionService::accept, r->send.front());
    if (state == State::closed) return Error{CoreErrc::invalid_argument};
    state = State::associated;
    out.events.emplace_back(
        Associated{std::nullopt, Bytes(initiate_response.begin(), initiate_response.end())});
    return {};
  }

  Status do_reject(const Decision& d) {
    if (state != State::awaiting_decision || !aarq) return Error{CoreErrc::invalid_argument};
    const auto result =
        d.result == acse::AssociateResult::accepted ? acse::AssociateResult::rejected_permanent : d.result;
    acse::Aare aare = acse::make_reject(*aarq, result, d.diagnostic);
    if (!d.mms_pdu.empty())
      aare.user_information = user_information_for(d.mms_pdu, mms_ctx.value_or(kDefaultMmsContext));
    aare.responding_ap_title = cfg.responding_ap_title;
    aare.responding_ae_qualifier = cfg.responding_ae_qualifier;
    auto r = acse.respond(aare);
    if (!r || r->send.empty()) {
      const Error e = r ? Error{CoreErrc::invalid_argument} : r.error();
      local_failure(e, "cannot send the rejecting AARE");
      return e;
    }
    send_apdu(SessionService::refuse, r->send.front());
    out.events.emplace_back(AssociateRejected{
        aare, d.mms_pdu, std::string(acse::result_name(result)) + ": " + acse::describe(aare.diagnostic)});
    close();
    return {};
  }
};

// ------------------------------------------------------------------ public API

Association::Association(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Association::~Association() = default;
Association::Association(Association&&) noexcept = default;
Association& Association::operator=(Association&&) noexcept = default;

Association Association::client(Config config) {
  return Association(std::make_unique<Impl>(Role::client, std::move(config), Acceptor{}));
}

Association Association::server(Config config, Acceptor acceptor) {
  return Association(std::make_unique<Impl>(Role::server, std::move(config), std::move(acceptor)));
}

Role Association::role() const noexcept { return impl_->role; }
State Association::state() const noexcept { return impl_->state; }
const std::optional<acse::Aarq>& Association::aarq() const noexcept { return impl_->aarq; }
std::optional<std::uint32_t> Association::mms_context() const noexcept { return impl_->mms_ctx; }

Result<Output> Association::connect(ByteView initiate_request) {
  Impl& m = *impl_;
  if (m.role != Role::client || m.state != State::idle) return Error{CoreErrc::invalid_argument};
  m.initiate.assign(initiate_request.begin(), initiate_request.end());
  auto co = m.cotp.connect();
  if (!co) return co.error();
  m.state = State::connecting;
  m.handle_cotp(std::move(*co));
  return m.take();
}

Output Association::receive(ByteView bytes) {
  Output out;
  receive(bytes, out);
  return out;
}

void Association::receive(ByteView bytes, Output& out) {
  // The machine appends to its own `out` (empty between calls): lend it the caller's buffers.
  std::swap(impl_->out, out);
  impl_->receive(bytes);
  std::swap(impl_->out, out);
}

Result<Output> Association::accept(ByteView initiate_response) {
  MMSSEC_TRY(impl_->do_accept(initiate_response));
  return impl_->take();
}

Result<Output> Association::reject(const Decision& decision) {
  MMSSEC_TRY(impl_->do_reject(decision));
  return impl_->take();
}

Result<Output> Association::send(ByteView mms_pdu) {
  Output out;
  MMSSEC_TRY(send(mms_pdu, out));
  return out;
}

Status Association::send(ByteView mms_pdu, Output& out) {
  Impl& m = *impl_;
  if (m.state != State::associated || !m.mms_ctx) return Error{CoreErrc::invalid_argument};
  if (m.send_data_fast(mms_pdu, out.send)) return {};
  std::swap(m.out, out);
  m.send_ppdu(m.pres.send_data({Pdv::single(*m.mms_ctx, Bytes(mms_pdu.begin(), mms_pdu.end()))}),
              "cannot send MMS data");
  std::swap(m.out, out);
  return {};
}

Result<Output> Association::release() {
  Impl& m = *impl_;
  if (m.role != Role::client || m.state != State::associated) return Error{CoreErrc::invalid_argument};
  auto r = m.acse.release();
  if (!r) return r.error();
  if (r->send.empty()) return Error{CoreErrc::invalid_argument};
  m.state = State::releasing;
  m.send_apdu(SessionService::release, r->send.front());
  return m.take();
}

Output Association::abort() {
  Impl& m = *impl_;
  if (m.state != State::closed) {
    m.send_abort();
    m.out.events.emplace_back(Aborted{false, "aborted locally", std::nullopt});
    m.close();
  }
  return m.take();
}

Output Association::transport_closed() {
  Impl& m = *impl_;
  if (m.state == State::releasing && m.role == Role::client) {
    m.aborted(true, "transport closed during release");
  } else {
    m.aborted(true, "transport closed by the peer");
  }
  m.state = State::closed;
  return m.take();
}

}  // namespace mmssec::stack
