// SPDX-License-Identifier: Apache-2.0
// The model file of `mmssec server --model FILE`: a line-oriented text description of a server
// naming model (domains, IEC 61850 logical nodes, plain named variables, data sets, access
// rights, server identity) loaded into a Vmd. The format is specified in docs/model-format.md;
// samples/models/default.model describes the embedded default IED.
//
//   domain LD0
//   ln LD0/MMXU1
//     MX TotW.mag.f float32 = 1000.0
//     CF TotW.db    uint32  = 1000 rw
//   end
//   variable LD0/Counter int32 = 0 rw
//   dataset LD0/LLN0$DataSet1 = LD0/MMXU1$MX$TotW
//   report LD0/LLN0$RP$urcb01$RptEna dataset LD0/LLN0$DataSet1
//
// Untrusted input: every size is bounded (ModelFileOptions plus the Vmd's Limits), errors are
// values naming line, column, what was found and what was expected; nothing throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "mmssec/core/error.hpp"
#include "mmssec/mms/model.hpp"
#include "mmssec/mms/server.hpp"

namespace mmssec::mms {

/// Why a model file was refused.
enum class ModelFileErrc {
  syntax_error = 1,    ///< malformed line: missing/unexpected token, bad literal, bad UTF-8
  unknown_keyword,     ///< a statement that is not one of the format's keywords
  unknown_type,        ///< a type name the format does not know
  bad_value,           ///< an initial value that does not fit its type (kind, range, size, count)
  invalid_name,        ///< not an MMS Identifier, `$` where none is allowed, flattened name too long
  duplicate,           ///< a domain, variable, attribute, data set or identity field given twice
  undefined,           ///< the domain, a data set member or an access target does not exist
  unterminated_block,  ///< `ln`/`dataset` block without `end`, statement inside a block, stray `end`
  unsupported_format,  ///< a `format` version this loader does not read
  limit_exceeded,      ///< file size, line length, object count, nesting, elements or value memory
  file_unreadable,     ///< load_model_file: missing, not a regular file, or a read error
  rejected,            ///< the Vmd refused a definition the loader had accepted (a ModelErrc)
};

}  // namespace mmssec::mms

template <>
struct std::is_error_code_enum<mmssec::mms::ModelFileErrc> : std::true_type {};

namespace mmssec::mms {

/// Category name "mms" (the layer), like mms_category() and model_category().
const std::error_category& model_file_category() noexcept;
inline std::error_code make_error_code(ModelFileErrc e) noexcept {
  return {static_cast<int>(e), model_file_category()};
}

/// Bounds of the loader that have no counterpart in Limits. Nesting depth, structure/array
/// element counts, identifier length and string sizes come from the Vmd's Limits
/// (mms_max_data_depth, mms_max_list_elements, mms_max_identifier, mms_max_string).
struct ModelFileOptions {
  /// Largest model text accepted, in octets.
  std::size_t max_file_size = std::size_t{4} << 20U;  // 4 MiB
  /// Longest line, in octets (line terminator excluded).
  std::size_t max_line_length = 4096;
  /// Most objects one file may define: domains, logical nodes, variables, data attribute lines,
  /// data sets, data set members and access statements each count one.
  std::size_t max_objects = 100000;
  /// Estimated memory of all initial values, in octets: 64 per value node (every structure,
  /// array element and basic value) plus the payload of fixed-size strings. Checked before the
  /// values are built, so `array 10000 of array 10000 of ...` is refused, not allocated.
  std::size_t max_value_bytes = std::size_t{64} << 20U;  // 64 MiB
};

/// What a successful load reports besides the objects it put into the Vmd.
struct LoadedModel {
  /// Set when the file has `identity` lines; fields it does not name keep ServerIdentity's
  /// defaults.
  std::optional<ServerIdentity> identity;
  std::size_t domains = 0;        ///< domains defined by the file
  std::size_t logical_nodes = 0;  ///< `ln` blocks
  std::size_t variables = 0;      ///< plain `variable` statements
  std::size_t data_sets = 0;      ///< named variable lists
  /// From `report` lines, for ServerOptions::report_controls.
  std::vector<ReportControl> report_controls;
};

/// A refused model file.
struct ModelFileError {
  Error error;             ///< code: a ModelFileErrc; offset: octet offset in the text
  std::size_t line = 0;    ///< 1-based; 0 when the whole file is at fault (size, unreadable)
  std::size_t column = 0;  ///< 1-based, in characters; 0 with line 0
  std::string message;     ///< what was found and what was expected, without the location
  std::string path;        ///< the file, when loaded by load_model_file
  /// "path:12:9: message" with a path, "line 12, column 9: message" without,
  /// "path: message" / "message" for whole-file errors.
  [[nodiscard]] std::string describe() const;
};

/// A LoadedModel or a ModelFileError.
class [[nodiscard]] LoadResult {
 public:
  LoadResult(LoadedModel m)
      : v_(std::in_place_index<0>, std::move(m)) {}  // NOLINT(google-explicit-constructor)
  LoadResult(ModelFileError e)
      : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  LoadedModel& value() & { return *std::get_if<0>(&v_); }
  const LoadedModel& value() const& { return *std::get_if<0>(&v_); }
  LoadedModel& operator*() & { return value(); }
  const LoadedModel& operator*() const& { return value(); }
  LoadedModel* operator->() { return &value(); }
  const LoadedModel* operator->() const { return &value(); }
  [[nodiscard]] const ModelFileError& error() const { return *std::get_if<1>(&v_); }

 private:
  std::variant<LoadedModel, ModelFileError> v_;
};

/// Parse `text` and define its objects in `vmd` (which may already hold objects: names must
/// not clash, data set members and access statements may refer to them). All or nothing: the
/// file is applied to a copy of `vmd` that replaces it only on success, so on failure `vmd` is
/// unchanged, and on success references taken into `vmd` before the call are invalid.
/// Data sets from a file are configuration: not deletable by clients.
LoadResult load_model(std::string_view text, Vmd& vmd, const ModelFileOptions& options = {});

/// Read the file at `path` (a regular file of at most options.max_file_size octets) and
/// load_model() it. The error's `path` is set either way.
LoadResult load_model_file(const std::string& path, Vmd& vmd, const ModelFileOptions& options = {});

}  // namespace mmssec::mms
