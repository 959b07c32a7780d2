// SPDX-License-Identifier: Apache-2.0
// The server naming model: VMD, domains, named variables with `$` component addressing
// (IEC 61850-8-1 mapping of logical nodes onto MMS named variables), typed read/write,
// GetNameList paging, named variable lists, access rights and a change hook.
#include "mmssec/mms/model.hpp"

#include <algorithm>
#include <string>

namespace mmssec::mms {
namespace {

inline constexpr char kSeparator = '$';

// ServiceError codes used by the model (ISO 9506-2: definition, resource and access classes).
inline constexpr std::int64_t kDefinitionObjectUndefined = 1;
inline constexpr std::int64_t kDefinitionInvalidAddress = 2;
inline constexpr std::int64_t kDefinitionTypeInconsistent = 4;
inline constexpr std::int64_t kDefinitionObjectExists = 5;
inline constexpr std::int64_t kResourceCapabilityUnavailable = 4;
inline constexpr std::int64_t kAccessObjectAccessUnsupported = 1;
inline constexpr std::int64_t kAccessObjectAccessDenied = 3;

class ModelCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "mms"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<ModelErrc>(ev)) {
      case ModelErrc::invalid_name: return "invalid object name";
      case ModelErrc::object_exists: return "object already defined";
      case ModelErrc::object_undefined: return "object undefined";
      case ModelErrc::type_inconsistent: return "value or type inconsistent";
      case ModelErrc::not_deletable: return "object not deletable";
      case ModelErrc::unsupported_scope: return "AA-specific scope not held by the VMD";
      case ModelErrc::too_many_elements: return "too many list elements";
    }
    return "mms model error " + std::to_string(ev);
  }
};

bool has_separator(std::string_view s) { return s.find(kSeparator) != std::string_view::npos; }

bool valid_plain_name(std::string_view s, std::size_t max) {
  return valid_identifier(s, max) && !has_separator(s);
}

/// Split "a$b$c" into "a" and "b$c" (rest empty when there is no separator).
std::pair<std::string_view, std::string_view> split_first(std::string_view s) {
  const auto p = s.find(kSeparator);
  if (p == std::string_view::npos) return {s, {}};
  return {s.substr(0, p), s.substr(p + 1)};
}

std::optional<std::size_t> parse_index(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  std::size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  return v;
}

// Number of characters of a (valid) UTF-8 string: octets that are not continuation octets.
std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

bool size_ok(std::int32_t size, std::size_t n) {
  if (size >= 0) return n == static_cast<std::size_t>(size);
  return n <= static_cast<std::size_t>(-static_cast<std::int64_t>(size));
}

enum class Conformance : std::uint8_t { ok, shape_mismatch, value_invalid };

Conformance check(const TypeSpecification& t, const Data& v) {
  using K = TypeSpecification::Kind;
  auto shape = [](bool b) { return b ? Conformance::ok : Conformance::shape_mismatch; };
  auto value = [](bool b) { return b ? Conformance::ok : Conformance::value_invalid; };
  switch (t.kind) {
    case K::type_name: return Conformance::shape_mismatch;
    case K::boolean: return shape(v.get<bool>() != nullptr);
    case K::integer: {
      const auto* i = v.get<std::int64_t>();
      if (i == nullptr) return Conformance::shape_mismatch;
      if (t.size <= 0 || t.size >= 64) return Conformance::ok;
      const std::int64_t lim = std::int64_t{1} << (t.size - 1);
      return value(*i >= -lim && *i < lim);
    }
    case K::unsigned_: {
      const auto* u = v.get<Unsigned>();
      if (u == nullptr) return Conformance::shape_mismatch;
      if (t.size <= 0 || t.size >= 64) return Conformance::ok;
      return value(u->value < (std::uint64_t{1} << t.size));
    }
    case K::bcd: {
      const auto* b = v.get<Bcd>();
      if (b == nullptr) return Conformance::shape_mismatch;
      if (t.size <= 0 || t.size > 18) return value(b->value >= 0);
      std::int64_t lim = 1;
      for (int i = 0; i < t.size; ++i) lim *= 10;
      return value(b->value >= 0 && b->value < lim);
    }
    case K::floating_point: {
      const auto* f = v.get<FloatingPoint>();
      if (f == nullptr) return Conformance::shape_mismatch;
      if (t.format_width == 64) return shape(f->is_double);
      if (t.format_width == 32) return shape(!f->is_double);
      return Conformance::ok;
    }
    case K::bit_string: {
      const auto* b = v.get<BitStringValue>();
      if (b == nullptr) return Conformance::shape_mismatch;
      return value(b->unused_bits <= 7 && b->bytes.size() * 8 >= b->unused_bits &&
                   size_ok(t.size, b->size()));
    }
    case K::octet_string: {
      const auto* o = v.get<OctetStringValue>();
      if (o == nullptr) return Conformance::shape_mismatch;
      return value(size_ok(t.size, o->bytes.size()));
    }
    case K::visible_string: {
      const auto* s = v.get<VisibleStringValue>();
      if (s == nullptr) return Conformance::shape_mismatch;
      const bool printable =
          std::all_of(s->text.begin(), s->text.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
      return value(printable && size_ok(t.size, s->text.size()));
    }
    case K::mms_string: {
      const auto* s = v.get<MmsStringValue>();
      if (s == nullptr) return Conformance::shape_mismatch;
      return value(size_ok(t.size, utf8_length(s->text)));
    }
    case K::generalized_time: return shape(v.get<ber::Time>() != nullptr);
    case K::binary_time: {
      const auto* b = v.get<BinaryTime>();
      return shape(b != nullptr && b->days.has_value() == t.binary_time_with_date);
    }
    case K::obj_id: return shape(v.get<ber::Oid>() != nullptr);
    case K::utc_time: return shape(v.get<UtcTime>() != nullptr);
    case K::array: {
      const auto* a = v.get<DataArray>();
      if (a == nullptr || !t.element_type || a->items.size() != t.number_of_elements) {
        return Conformance::shape_mismatch;
      }
      for (const Data& item : a->items) {
        if (auto c = check(*t.element_type, item); c != Conformance::ok) return c;
      }
      return Conformance::ok;
    }
    case K::structure: {
      const auto* s = v.get<DataStructure>();
      if (s == nullptr || s->members.size() != t.components.size()) return Conformance::shape_mismatch;
      for (std::size_t i = 0; i < s->members.size(); ++i) {
        if (!t.components[i].type) return Conformance::shape_mismatch;
        if (auto c = check(*t.components[i].type, s->members[i]); c != Conformance::ok) return c;
      }
      return Conformance::ok;
    }
  }
  return Conformance::shape_mismatch;
}

// A type usable in the model: concrete (no typeName), components named uniquely (or unnamed),
// arrays within the element limit, nesting within the depth limit.
Status validate_type(const TypeSpecification& t, const Limits& limits, std::size_t depth) {
  using K = TypeSpecification::Kind;
  if (t.kind == K::type_name) return ModelErrc::type_inconsistent;
  if (t.kind == K::array || t.kind == K::structure) {
    if (depth >= limits.mms_max_data_depth) return ModelErrc::type_inconsistent;
  }
  if (t.kind == K::array) {
    if (!t.element_type) return ModelErrc::type_inconsistent;
    if (t.number_of_elements > limits.mms_max_list_elements) return ModelErrc::too_many_elements;
    return validate_type(*t.element_type, limits, depth + 1);
  }
  if (t.kind == K::structure) {
    if (t.components.size() > limits.mms_max_list_elements) return ModelErrc::too_many_elements;
    std::set<std::string_view> seen;
    for (const TypeComponent& c : t.components) {
      if (!c.type) return ModelErrc::type_inconsistent;
      if (c.name) {
        if (!valid_plain_name(*c.name, limits.mms_max_identifier)) return ModelErrc::invalid_name;
        if (!seen.insert(*c.name).second) return ModelErrc::type_inconsistent;
      }
      MMSSEC_TRY(validate_type(*c.type, limits, depth + 1));
    }
  }
  return {};
}

// Every listable name of a variable: itself and each named structure component, recursively
// (array elements are not listed).
Status flatten(const TypeSpecification& t, std::string& prefix, std::vector<std::string>& out,
               const Limits& limits) {
  if (prefix.size() > limits.mms_max_identifier) return ModelErrc::invalid_name;
  out.push_back(prefix);
  if (t.kind != TypeSpecification::Kind::structure) return {};
  for (const TypeComponent& c : t.components) {
    if (!c.name) continue;
    const std::size_t keep = prefix.size();
    prefix.push_back(kSeparator);
    prefix.append(*c.name);
    MMSSEC_TRY(flatten(*c.type, prefix, out, limits));
    prefix.resize(keep);
  }
  return {};
}

template <class Names>
NameList page(const Names& names, std::optional<std::string_view> after, std::size_t max_count) {
  NameList out;
  auto it = after ? names.upper_bound(*after) : names.begin();
  for (; it != names.end(); ++it) {
    if (max_count != 0 && out.names.size() == max_count) {
      out.more_follows = true;
      break;
    }
    if constexpr (std::is_same_v<typename Names::value_type, std::string>) {
      out.names.push_back(*it);
    } else {
      out.names.push_back(it->first);
    }
  }
  return out;
}

// Resolve "Var$Comp$Sub" in a scope; works for const and non-const scopes.
template <class ScopeT, class Ref>
ModelResult<Ref> resolve(ScopeT& scope, std::string_view item) {
  const auto [var_name, rest] = split_first(item);
  auto it = scope.variables.find(var_name);
  if (it == scope.variables.end()) return DataAccessError::object_non_existent;
  auto& var = it->second;
  Ref ref;
  ref.type = var.type.get();
  ref.value = &var.value;
  ref.access = var.access;
  if (item.size() > var_name.size() && rest.empty()) return DataAccessError::object_non_existent;  // "Var$"
  std::string_view remaining = rest;
  std::size_t path_len = 0;
  while (!remaining.empty()) {
    const auto parts = split_first(remaining);
    const std::string_view seg = parts.first;
    const std::string_view next = parts.second;
    if (seg.empty() || (next.empty() && remaining.size() > seg.size()))
      return DataAccessError::object_non_existent;
    using K = TypeSpecification::Kind;
    if (ref.type->kind == K::structure) {
      auto* s = ref.value->template get<DataStructure>();
      const auto& comps = ref.type->components;
      auto c = std::find_if(comps.begin(), comps.end(),
                            [&](const TypeComponent& tc) { return tc.name && *tc.name == seg; });
      if (c == comps.end()) return DataAccessError::object_non_existent;
      const auto idx = static_cast<std::size_t>(c - comps.begin());
      if (s == nullptr || s->members.size() != comps.size()) return DataAccessError::object_invalidated;
      ref.type = c->type.get();
      ref.value = &s->members[idx];
    } else if (ref.type->kind == K::array) {
      auto index = parse_index(seg);
      if (!index) return DataAccessError::object_non_existent;
      auto* a = ref.value->template get<DataArray>();
      if (a == nullptr) return DataAccessError::object_invalidated;
      if (*index >= a->items.size() || *index >= ref.type->number_of_elements)
        return DataAccessError::invalid_address;
      ref.type = ref.type->element_type.get();
      ref.value = &a->items[*index];
    } else {
      return DataAccessError::object_non_existent;
    }
    path_len += (path_len == 0 ? 0 : 1) + seg.size();
    if (!var.component_access.empty()) {
      auto acc = var.component_access.find(rest.substr(0, path_len));
      if (acc != var.component_access.end()) ref.access = acc->second;
    }
    remaining = next;
  }
  return ref;
}

}  // namespace

const std::error_category& model_category() noexcept {
  static const ModelCategory cat;
  return cat;
}

ServiceError service_error_for(ModelErrc e) noexcept {
  auto make = [](ErrorClass cls, std::int64_t code) {
    ServiceError se;
    se.error_class = cls;
    se.code = code;
    return se;
  };
  switch (e) {
    case ModelErrc::invalid_name: return make(ErrorClass::definition, kDefinitionInvalidAddress);
    case ModelErrc::object_exists: return make(ErrorClass::definition, kDefinitionObjectExists);
    case ModelErrc::object_undefined: return make(ErrorClass::definition, kDefinitionObjectUndefined);
    case ModelErrc::type_inconsistent: return make(ErrorClass::definition, kDefinitionTypeInconsistent);
    case ModelErrc::not_deletable: return make(ErrorClass::access, kAccessObjectAccessDenied);
    case ModelErrc::unsupported_scope: return make(ErrorClass::access, kAccessObjectAccessUnsupported);
    case ModelErrc::too_many_elements: return make(ErrorClass::resource, kResourceCapabilityUnavailable);
  }
  return make(ErrorClass::definition, 0);
}

AccessResult to_access_result(ModelResult<Data> r) {
  if (!r) return r.error();
  return std::move(r).value();
}

// ---------------------------------------------------------------------------------------------
// Type builders
// ---------------------------------------------------------------------------------------------

namespace types {
namespace {
TypeSpecificationPtr sized(TypeSpecification::Kind k, std::int32_t size) {
  TypeSpecification t;
  t.kind = k;
  t.size = size;
  return TypeSpecification::make(std::move(t));
}
TypeSpecificationPtr floating(std::uint8_t format, std::uint8_t exponent) {
  TypeSpecification t;
  t.kind = TypeSpecification::Kind::floating_point;
  t.format_width = format;
  t.exponent_width = exponent;
  return TypeSpecification::make(std::move(t));
}
}  // namespace

using K = TypeSpecification::Kind;
TypeSpecificationPtr boolean() { return sized(K::boolean, 0); }
TypeSpecificationPtr integer(std::uint8_t bits) { return sized(K::integer, bits); }
TypeSpecificationPtr unsigned_integer(std::uint8_t bits) { return sized(K::unsigned_, bits); }
TypeSpecificationPtr float32() { return floating(32, 8); }
TypeSpecificationPtr float64() { return floating(64, 11); }
TypeSpecificationPtr bit_string(std::int32_t size) { return sized(K::bit_string, size); }
TypeSpecificationPtr quality() { return sized(K::bit_string, 13); }
TypeSpecificationPtr timestamp() { return sized(K::utc_time, 0); }
TypeSpecificationPtr octet_string(std::int32_t size) { return sized(K::octet_string, size); }
TypeSpecificationPtr visible_string(std::int32_t size) { return sized(K::visible_string, size); }
TypeSpecificationPtr mms_string(std::int32_t size) { return sized(K::mms_string, size); }
TypeSpecificationPtr generalized_time() { return sized(K::generalized_time, 0); }
TypeSpecificationPtr binary_time(bool with_date) {
  TypeSpecification t;
  t.kind = K::binary_time;
  t.binary_time_with_date = with_date;
  return TypeSpecification::make(std::move(t));
}
TypeSpecificationPtr bcd(std::uint8_t digits) { return sized(K::bcd, digits); }
TypeSpecificationPtr obj_id() { return sized(K::obj_id, 0); }
TypeSpecificationPtr array(std::uint32_t elements, TypeSpecificationPtr element) {
  TypeSpecification t;
  t.kind = K::array;
  t.number_of_elements = elements;
  t.element_type = std::move(element);
  return TypeSpecification::make(std::move(t));
}
TypeSpecificationPtr structure(std::vector<std::pair<std::string, TypeSpecificationPtr>> components) {
  TypeSpecification t;
  t.kind = K::structure;
  t.components.reserve(components.size());
  for (auto& [name, type] : components) t.components.push_back({std::move(name), std::move(type)});
  return TypeSpecification::make(std::move(t));
}
}  // namespace types

LogicalNodeBuilder& LogicalNodeBuilder::add(std::string_view fc, std::string_view data_object,
                                            TypeSpecificationPtr type) {
  auto it = std::find_if(fcs_.begin(), fcs_.end(), [&](const auto& e) { return e.first == fc; });
  if (it == fcs_.end()) {
    fcs_.emplace_back(std::string(fc), std::vector<std::pair<std::string, TypeSpecificationPtr>>{});
    it = fcs_.end() - 1;
  }
  it->second.emplace_back(std::string(data_object), std::move(type));
  return *this;
}

TypeSpecificationPtr LogicalNodeBuilder::build() const {
  std::vector<std::pair<std::string, TypeSpecificationPtr>> comps;
  comps.reserve(fcs_.size());
  for (const auto& [fc, dos] : fcs_) comps.emplace_back(fc, types::structure(dos));
  return types::structure(std::move(comps));
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

Data default_value(const TypeSpecification& t, const Limits& limits) {
  using K = TypeSpecification::Kind;
  const std::size_t fixed = t.size > 0 ? static_cast<std::size_t>(t.size) : 0;
  switch (t.kind) {
    case K::type_name:
    case K::boolean: return false;
    case K::integer: return std::int64_t{0};
    case K::unsigned_: return Unsigned{};
    case K::bcd: return Bcd{};
    case K::floating_point: return FloatingPoint{0.0, t.format_width == 64};
    case K::bit_string: {
      BitStringValue b;
      if (fixed > 0) b.set(fixed - 1, false);
      return b;
    }
    case K::octet_string: return OctetStringValue{Bytes(fixed, 0)};
    case K::visible_string: return VisibleStringValue{std::string(fixed, ' ')};
    case K::mms_string: return MmsStringValue{std::string(fixed, ' ')};
    case K::generalized_time: return ber::Time::from_unix(0);
    case K::binary_time:
      return BinaryTime{0, t.binary_time_with_date ? std::optional<std::uint16_t>(0) : std::nullopt};
    case K::obj_id: return ber::Oid{0, 0};
    case K::utc_time: return UtcTime{};
    case K::array: {
      DataArray a;
      if (!t.element_type) return a;
      const std::size_t n = std::min<std::size_t>(t.number_of_elements, limits.mms_max_list_elements);
      a.items.reserve(n);
      const Data element = default_value(*t.element_type, limits);
      for (std::size_t i = 0; i < n; ++i) a.items.push_back(element);
      return a;
    }
    case K::structure: {
      DataStructure s;
      s.members.reserve(t.components.size());
      for (const TypeComponent& c : t.components) {
        s.members.push_back(c.type ? default_value(*c.type, limits) : Data(false));
      }
      return s;
    }
  }
  return false;
}

bool conforms(const TypeSpecification& type, const Data& value) {
  return check(type, value) == Conformance::ok;
}

// ---------------------------------------------------------------------------------------------
// Vmd
// ---------------------------------------------------------------------------------------------

Vmd::Scope* Vmd::scope_for(const ObjectName& name) {
  switch (name.scope) {
    case ObjectName::Scope::vmd: return &vmd_;
    case ObjectName::Scope::domain: {
      auto it = domains_.find(name.domain);
      return it == domains_.end() ? nullptr : &it->second;
    }
    case ObjectName::Scope::aa: break;
  }
  return nullptr;
}

const Vmd::Scope* Vmd::scope_for(const ObjectName& name) const {
  return const_cast<Vmd*>(this)->scope_for(
      name);  // NOLINT(cppcoreguidelines-pro-type-const-cast): no mutation
}

Status Vmd::define_domain(std::string_view name) {
  if (!valid_plain_name(name, limits_.mms_max_identifier)) return ModelErrc::invalid_name;
  if (domains_.count(name) != 0) return ModelErrc::object_exists;
  domains_.emplace(std::string(name), Scope{});
  return {};
}

Status Vmd::define_variable(std::string_view domain, std::string_view name, TypeSpecificationPtr type,
                            std::optional<Data> initial, Access access) {
  const ObjectName on = domain.empty() ? ObjectName::vmd_specific(std::string(name))
                                       : ObjectName::domain_specific(std::string(domain), std::string(name));
  return define_variable(on, std::move(type), std::move(initial), access);
}

Status Vmd::define_variable(const ObjectName& name, TypeSpecificationPtr type, std::optional<Data> initial,
                            Access access) {
  if (name.scope == ObjectName::Scope::aa) return ModelErrc::unsupported_scope;
  if (!valid_plain_name(name.item, limits_.mms_max_identifier)) return ModelErrc::invalid_name;
  if (!type) return ModelErrc::type_inconsistent;
  Scope* scope = scope_for(name);
  if (scope == nullptr) return ModelErrc::object_undefined;
  if (scope->variables.count(name.item) != 0) return ModelErrc::object_exists;
  MMSSEC_TRY(validate_type(*type, limits_, 0));
  Data value = initial ? std::move(*initial) : default_value(*type, limits_);
  if (!conforms(*type, value)) return ModelErrc::type_inconsistent;
  std::vector<std::string> names;
  std::string prefix = name.item;
  MMSSEC_TRY(flatten(*type, prefix, names, limits_));
  scope->flattened.insert(std::make_move_iterator(names.begin()), std::make_move_iterator(names.end()));
  scope->variables.emplace(name.item, Variable{std::move(type), std::move(value), access, {}});
  return {};
}

Status Vmd::set_access(const ObjectName& name, Access access) {
  Scope* scope = scope_for(name);
  if (scope == nullptr) return ModelErrc::object_undefined;
  // The component must exist.
  if (!resolve<Scope, ComponentRef>(*scope, name.item)) return ModelErrc::object_undefined;
  const auto [var_name, rest] = split_first(name.item);
  Variable& var = scope->variables.find(var_name)->second;
  if (rest.empty()) {
    var.access = access;
  } else {
    var.component_access[std::string(rest)] = access;
  }
  return {};
}

ModelResult<ComponentRef> Vmd::lookup(const ObjectName& name) {
  Scope* scope = scope_for(name);
  if (scope == nullptr) return DataAccessError::object_non_existent;
  return resolve<Scope, ComponentRef>(*scope, name.item);
}

ModelResult<ConstComponentRef> Vmd::lookup(const ObjectName& name) const {
  const Scope* scope = scope_for(name);
  if (scope == nullptr) return DataAccessError::object_non_existent;
  return resolve<const Scope, ConstComponentRef>(*scope, name.item);
}

ModelResult<TypeSpecificationPtr> Vmd::type_of(const ObjectName& name) const {
  auto ref = lookup(name);
  if (!ref) return ref.error();
  // Share ownership with the variable's type tree (aliasing constructor).
  const Scope* scope = scope_for(name);
  const auto& var = scope->variables.find(split_first(name.item).first)->second;
  return TypeSpecificationPtr(var.type, ref->type);
}

ModelResult<Data> Vmd::read(const ObjectName& name) const {
  auto ref = lookup(name);
  if (!ref) return ref.error();
  return *ref->value;
}

AccessStatus Vmd::write(const ObjectName& name, const Data& value) {
  return store(name, value, ChangeSource::client_write);
}

AccessStatus Vmd::update(const ObjectName& name, const Data& value) {
  return store(name, value, ChangeSource::local_update);
}

AccessStatus Vmd::store(const ObjectName& name, const Data& value, ChangeSource source) {
  auto ref = lookup(name);
  if (!ref) return ref.error();
  if (source == ChangeSource::client_write && ref->access != Access::read_write) {
    return DataAccessError::object_access_denied;
  }
  switch (check(*ref->type, value)) {
    case Conformance::ok: break;
    case Conformance::shape_mismatch: return DataAccessError::type_inconsistent;
    case Conformance::value_invalid: return DataAccessError::object_value_invalid;
  }
  if (callbacks_.empty()) {
    *ref->value = value;
    return std::nullopt;
  }
  Data old = std::move(*ref->value);
  *ref->value = value;
  const auto [var_name, rest] = split_first(name.item);
  ObjectName variable = name;
  variable.item = std::string(var_name);
  // Copy the callbacks so that a callback may subscribe/unsubscribe.
  const auto callbacks = callbacks_;
  for (const auto& [id, cb] : callbacks) cb(variable, rest, old, value, source);
  return std::nullopt;
}

std::size_t Vmd::subscribe(ChangeCallback cb) {
  const std::size_t id = next_callback_++;
  callbacks_.emplace(id, std::move(cb));
  return id;
}

void Vmd::unsubscribe(std::size_t id) { callbacks_.erase(id); }

ModelResult<NameList> Vmd::name_list(ObjectClass cls, std::string_view domain,
                                     std::optional<std::string_view> continue_after,
                                     std::size_t max_count) const {
  if (cls == ObjectClass::domain) return page(domains_, continue_after, max_count);
  const Scope* scope = &vmd_;
  if (!domain.empty()) {
    auto it = domains_.find(domain);
    if (it == domains_.end()) return DataAccessError::object_non_existent;
    scope = &it->second;
  }
  switch (cls) {
    case ObjectClass::named_variable: return page(scope->flattened, continue_after, max_count);
    case ObjectClass::named_variable_list: return page(scope->lists, continue_after, max_count);
    case ObjectClass::domain: break;
  }
  return NameList{};
}

Status Vmd::define_named_variable_list(const ObjectName& name, std::vector<ObjectName> members,
                                       bool deletable) {
  if (name.scope == ObjectName::Scope::aa) return ModelErrc::unsupported_scope;
  // Data set names carry `$` (`LLN0$dataset1`): any Identifier is accepted here.
  if (!valid_identifier(name.item, limits_.mms_max_identifier)) return ModelErrc::invalid_name;
  Scope* scope = scope_for(name);
  if (scope == nullptr) return ModelErrc::object_undefined;
  if (scope->lists.count(name.item) != 0) return ModelErrc::object_exists;
  if (members.size() > limits_.mms_max_list_elements) return ModelErrc::too_many_elements;
  for (const ObjectName& m : members) {
    if (!lookup(m)) return ModelErrc::object_undefined;
  }
  scope->lists.emplace(name.item, NvList{{deletable, std::move(members)}});
  return {};
}

Status Vmd::delete_named_variable_list(const ObjectName& name) {
  if (name.scope == ObjectName::Scope::aa) return ModelErrc::unsupported_scope;
  Scope* scope = scope_for(name);
  if (scope == nullptr) return ModelErrc::object_undefined;
  auto it = scope->lists.find(name.item);
  if (it == scope->lists.end()) return ModelErrc::object_undefined;
  if (!it->second.attrs.deletable) return ModelErrc::not_deletable;
  scope->lists.erase(it);
  return {};
}

std::pair<std::size_t, std::size_t> Vmd::delete_named_variable_lists(std::string_view domain) {
  Scope* scope = &vmd_;
  if (!domain.empty()) {
    auto it = domains_.find(domain);
    if (it == domains_.end()) return {0, 0};
    scope = &it->second;
  }
  const std::size_t matched = scope->lists.size();
  const std::size_t deleted =
      std::erase_if(scope->lists, [](const auto& e) { return e.second.attrs.deletable; });
  return {matched, deleted};
}

Result<NamedVariableListAttributes> Vmd::named_variable_list_attributes(const ObjectName& name) const {
  if (name.scope == ObjectName::Scope::aa) return ModelErrc::unsupported_scope;
  const Scope* scope = scope_for(name);
  if (scope == nullptr) return ModelErrc::object_undefined;
  auto it = scope->lists.find(name.item);
  if (it == scope->lists.end()) return ModelErrc::object_undefined;
  return it->second.attrs;
}

Result<std::vector<ModelResult<Data>>> Vmd::read_list(const ObjectName& name) const {
  MMSSEC_TRY_ASSIGN(const NamedVariableListAttributes attrs, named_variable_list_attributes(name));
  std::vector<ModelResult<Data>> out;
  out.reserve(attrs.members.size());
  for (const ObjectName& m : attrs.members) out.push_back(read(m));
  return out;
}

}  // namespace mmssec::mms
