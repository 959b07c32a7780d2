// SPDX-License-Identifier: Apache-2.0
// Text forms of what a client user types and reads: object references, MMS values and types.
//
// References (docs/client.md):
//   "LD0/MMXU1$MX$TotW$mag$f"  domain-specific: domain "LD0", item "MMXU1$MX$TotW$mag$f"
//   "/name" or "name"          VMD-specific
//   "@aa/name"                 AA-specific (as ObjectName::to_string() writes it)
// Each part is an MMS Identifier (A-Z a-z 0-9 _ $, not starting with a digit, at most
// Limits::mms_max_identifier characters); `$` separates IEC 61850 components, none of which may
// be empty.
//
// Values are parsed against the variable's TypeSpecification: booleans true/false/1/0, decimal
// integers range-checked for their width, floats, strings (bare, or quoted with \" \\ \xHH),
// bit strings b0101 or 0x hex, octet strings hex, times in ISO-8601 (UTC), structures and arrays
// as {a, b, ...}. format_data() writes the same syntax, so its output parses back to the value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mmssec/endpoint/client.hpp"
#include "mmssec/endpoint/error.hpp"
#include "mmssec/mms/data.hpp"

namespace mmssec::endpoint {

/// Parse an object reference (see above). Failures are Errc::invalid_argument with a detail
/// naming the problem ("empty item name in 'LD0/'", "invalid character ' ' at position 3 ...").
Outcome<mms::ObjectName> parse_reference(std::string_view text, std::size_t max_identifier = 129);
/// "LD0/LLN0$ST$Mod$stVal", "name" (VMD-specific), "@aa/name".
[[nodiscard]] std::string format_reference(const mms::ObjectName& name);

/// Parse `text` as a value of `type`. Failures are Errc::invalid_argument with a detail naming
/// the component and the problem ("q: 'b01' has 2 bits, bit-string(13) needs 13").
Outcome<mms::Data> parse_value(std::string_view text, const mms::TypeSpecification& type);

/// One line: true, -5, 230.5, b0000000000000, 0x0a0b, "text", 2024-01-02T03:04:05.5Z,
/// {true, b01, 2024-01-02T03:04:05Z q=0x0a}.
[[nodiscard]] std::string format_data(const mms::Data& data);
/// One Read/Report result: the value, or "error: object-non-existent".
[[nodiscard]] std::string format_access_result(const mms::AccessResult& result);
/// One line: boolean, integer(8), unsigned(32), float32, bit-string(13), visible-string(<=255),
/// utc-time, array[3] of float32, {stVal: boolean, q: bit-string(13), t: utc-time}.
[[nodiscard]] std::string format_type(const mms::TypeSpecification& type);
/// "MMS service error: access: object-non-existent" (the code's message, then the detail).
[[nodiscard]] std::string format_failure(const Failure& failure);

}  // namespace mmssec::endpoint
