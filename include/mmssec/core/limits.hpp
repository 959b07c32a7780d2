// SPDX-License-Identifier: Apache-2.0
// Every decoder limit in one documented struct with safe defaults. Limits are checked before
// any allocation; hitting one is a typed error (CoreErrc::limit_exceeded or a layer error) and
// produces the protocol's reaction, never a crash. docs/limits.md lists them with their rationale.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mmssec {

struct Limits {
  // ---- TPKT (RFC 1006) ----
  /// Largest TPKT accepted, header included. RFC 1006 allows up to 65535.
  std::size_t tpkt_max_packet = 65535;

  // ---- COTP class 0 (ISO 8073) ----
  /// Largest TPDU size we propose/accept in CR/CC (class 0 allows 128..8192; 65531 is the
  /// "preferred TPDU size" extension used by some stacks, not offered by default).
  std::size_t cotp_max_tpdu_size = 8192;
  /// Largest TSDU reassembled from DT segments (EOT=0 fragments). Protects against
  /// a peer that never sends EOT.
  std::size_t cotp_max_reassembly = 1U << 20;  // 1 MiB

  // ---- Session (ISO 8327-1) ----
  /// Largest User Data / Extended User Data parameter accepted in CN/AC/RF/FN/DN/AB.
  /// PGI 194 carries up to 10240 octets per X.225; we accept up to this value.
  std::size_t session_max_user_data = 10240;
  /// Maximum number of parameters (PI/PGI units) walked in one SPDU before giving up.
  std::size_t session_max_parameters = 64;

  // ---- Presentation (ISO 8823) ----
  /// Maximum presentation contexts proposed in a CP-PPDU.
  std::size_t presentation_max_contexts = 16;
  /// Maximum transfer syntaxes listed per context.
  std::size_t presentation_max_transfer_syntaxes = 8;
  /// Maximum PDV-list entries in fully-encoded-data.
  std::size_t presentation_max_pdvs = 16;

  // ---- BER ----
  /// Maximum nesting depth of constructed encodings (protects the stack against recursion).
  std::size_t ber_max_depth = 48;
  /// Maximum elements in one SEQUENCE OF / SET OF collected into a container.
  std::size_t ber_max_elements = 65536;
  /// Maximum OBJECT IDENTIFIER arcs.
  std::size_t ber_max_oid_arcs = 32;
  /// Allow indefinite-length encodings on decode (never emitted; refused in DER mode).
  bool ber_allow_indefinite = true;

  // ---- ACSE ----
  /// Maximum EXTERNALs in user-information.
  std::size_t acse_max_user_information = 8;
  /// Maximum size of one authentication value (a certificate of up to 8192 octets plus
  /// time and signature fits comfortably).
  std::size_t acse_max_authentication_value = 12288;

  // ---- MMS ----
  /// Maximum nesting of structure/array in Data and TypeSpecification.
  std::size_t mms_max_data_depth = 16;
  /// Maximum elements in one structure/array, list of variables, or name list.
  std::size_t mms_max_list_elements = 10000;
  /// Maximum length of an identifier (ISO 9506 allows 32; IEC 61850 object references in
  /// `$` form need up to 129 in edition 2.1, so the default is 129).
  std::size_t mms_max_identifier = 129;
  /// Maximum size of a bit string / octet string / visible string value, in octets.
  std::size_t mms_max_string = 65535;
  /// Maximum outstanding confirmed requests per association (negotiated in Initiate).
  std::uint32_t mms_max_outstanding = 16;
  /// Maximum MMS PDU size we announce in Initiate (localDetail).
  std::uint32_t mms_max_pdu_size = 65000;
};

/// The defaults, for callers that do not configure anything.
inline const Limits& default_limits() noexcept {
  static const Limits limits{};
  return limits;
}

}  // namespace mmssec
