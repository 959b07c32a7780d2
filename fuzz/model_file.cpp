// SPDX-License-Identifier: Apache-2.0
// The model file loader on arbitrary text (`mmssec server --model FILE` reads operator input,
// but a model may come from anywhere). Refused text leaves the Vmd empty and yields an error
// that points inside the text; accepted text gives a model whose every listed name reads back a
// value of its type, and loading the same text again gives the same model.
#include "mmssec/mms/model_file.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {
using namespace mmssec;
using namespace mmssec::mms;

void require(bool condition) {
  if (!condition) std::abort();
}

std::vector<std::string> listed(const Vmd& vmd, ObjectClass cls, const std::string& domain) {
  auto r = vmd.name_list(cls, domain, std::nullopt, 0);
  require(r.ok());
  return r->names;
}

/// Every name the model lists reads, with a value of its type; every list reads.
void check_model(const Vmd& vmd) {
  std::vector<std::string> scopes = {""};
  for (std::string& d : listed(vmd, ObjectClass::domain, "")) scopes.push_back(std::move(d));
  for (const std::string& scope : scopes) {
    auto object = [&](const std::string& item) {
      return scope.empty() ? ObjectName::vmd_specific(item) : ObjectName::domain_specific(scope, item);
    };
    for (const std::string& name : listed(vmd, ObjectClass::named_variable, scope)) {
      auto type = vmd.type_of(object(name));
      auto value = vmd.read(object(name));
      require(type.ok() && value.ok() && conforms(**type, *value));
    }
    for (const std::string& name : listed(vmd, ObjectClass::named_variable_list, scope)) {
      auto values = vmd.read_list(object(name));
      require(values.ok());
      for (const auto& v : *values) require(v.ok());
    }
  }
}

void check(std::string_view text, const Limits& limits, const ModelFileOptions& options) {
  Vmd vmd(limits);
  auto r = load_model(text, vmd, options);
  if (!r) {
    const ModelFileError& e = r.error();
    require(e.error.code.category() == model_file_category());
    require(e.line == 0 ? e.column == 0 : e.column != 0 && e.error.offset <= text.size());
    require(!e.describe().empty());
    require(listed(vmd, ObjectClass::domain, "").empty());
    require(listed(vmd, ObjectClass::named_variable, "").empty());
    return;
  }
  check_model(vmd);
  Vmd again(limits);
  auto r2 = load_model(text, again, options);
  require(r2.ok() && r2->domains == r->domains && r2->logical_nodes == r->logical_nodes &&
          r2->variables == r->variables && r2->data_sets == r->data_sets &&
          r2->report_controls.size() == r->report_controls.size());
  require(listed(again, ObjectClass::domain, "") == listed(vmd, ObjectClass::domain, ""));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A smaller value budget than the default keeps each input fast; the limit path is the same.
  ModelFileOptions options;
  options.max_value_bytes = std::size_t{1} << 20U;
  check(text, default_limits(), options);
  // Tight limits reach the depth, element, identifier and size limits with short inputs.
  Limits tight;
  tight.mms_max_data_depth = 4;
  tight.mms_max_list_elements = 4;
  tight.mms_max_identifier = 16;
  tight.mms_max_string = 8;
  ModelFileOptions small;
  small.max_line_length = 64;
  small.max_objects = 32;
  small.max_value_bytes = 4096;
  check(text, tight, small);
  return 0;
}
