// SPDX-License-Identifier: Apache-2.0
// The MMS naming model of a server (ISO 9506-1 VMD, domains, named variables, named variable
// lists), addressed the IEC 61850-8-1 way: the variable `LLN0` of domain `LD0` is a structure
// whose components are functional constraints, and `LLN0$ST$Mod$stVal` names a nested component.
//
// Sans-I/O and single-threaded: no locking here (the server adds it). Every operation that
// changes the model is a non-const member; const members never modify anything (no lazy
// caches), so a readers/writer lock is enough around this class.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/mms/data.hpp"
#include "mmssec/mms/pdu.hpp"

namespace mmssec::mms {

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

// DataAccessError (ISO 9506-2 numbering 0..11) and ServiceError come from pdu.hpp.

/// Failures of model definition services (define/delete domain, variable, list). Each maps to
/// an MMS ServiceError class and code with service_error_for().
enum class ModelErrc {
  invalid_name = 1,   ///< not an Identifier, contains '$', or a flattened name is too long
  object_exists,      ///< a domain/variable/list of that name is already defined
  object_undefined,   ///< the domain, or a list member, does not exist
  type_inconsistent,  ///< the initial value does not match the type, or the type is unusable
  not_deletable,      ///< the list was defined by the server configuration
  unsupported_scope,  ///< AA-specific objects are kept by the association, not the VMD
  too_many_elements,  ///< more list members than Limits::mms_max_list_elements
};

}  // namespace mmssec::mms

template <>
struct std::is_error_code_enum<mmssec::mms::ModelErrc> : std::true_type {};

namespace mmssec::mms {

/// Category name "mms" (the layer), like mms_category().
const std::error_category& model_category() noexcept;
inline std::error_code make_error_code(ModelErrc e) noexcept {
  return {static_cast<int>(e), model_category()};
}

/// The ServiceError (class definition, resource or access, and code) to answer with.
[[nodiscard]] ServiceError service_error_for(ModelErrc e) noexcept;

/// A value or a DataAccessError (what one entry of a Read response carries; convert with
/// to_access_result() for pdu.hpp's AccessResult).
template <class T>
class [[nodiscard]] ModelResult {
 public:
  ModelResult(T v) : v_(std::in_place_index<0>, std::move(v)) {}     // NOLINT(google-explicit-constructor)
  ModelResult(DataAccessError e) : v_(std::in_place_index<1>, e) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return *std::get_if<0>(&v_); }
  const T& value() const& { return *std::get_if<0>(&v_); }
  T&& value() && { return std::move(*std::get_if<0>(&v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  [[nodiscard]] DataAccessError error() const { return *std::get_if<1>(&v_); }

 private:
  std::variant<T, DataAccessError> v_;
};

/// Success (nullopt) or the DataAccessError of a Write.
using AccessStatus = std::optional<DataAccessError>;

/// The pdu.hpp form of a read result (failure or Data).
[[nodiscard]] AccessResult to_access_result(ModelResult<Data> r);

// ---------------------------------------------------------------------------------------------
// Type builders (IEC 61850-style structures, concisely)
// ---------------------------------------------------------------------------------------------

namespace types {
TypeSpecificationPtr boolean();
TypeSpecificationPtr integer(std::uint8_t bits);  ///< INT8..INT64: integer(8) .. integer(64)
TypeSpecificationPtr unsigned_integer(std::uint8_t bits);
TypeSpecificationPtr float32();                      ///< floating-point { 32, 8 }
TypeSpecificationPtr float64();                      ///< floating-point { 64, 11 }
TypeSpecificationPtr bit_string(std::int32_t size);  ///< negative: variable, at most |size| bits
TypeSpecificationPtr quality();                      ///< IEC 61850 Quality: bit-string(13)
TypeSpecificationPtr timestamp();                    ///< IEC 61850 TimeStamp: utc-time
TypeSpecificationPtr octet_string(std::int32_t size);
TypeSpecificationPtr visible_string(std::int32_t size);  ///< VisString255 = visible_string(-255)
TypeSpecificationPtr mms_string(std::int32_t size);      ///< Unicode255 = mms_string(-255)
TypeSpecificationPtr generalized_time();
TypeSpecificationPtr binary_time(bool with_date);  ///< EntryTime = binary_time(true)
TypeSpecificationPtr bcd(std::uint8_t digits);
TypeSpecificationPtr obj_id();
TypeSpecificationPtr array(std::uint32_t elements, TypeSpecificationPtr element);
/// structure { name type, ... } in the given order.
TypeSpecificationPtr structure(std::vector<std::pair<std::string, TypeSpecificationPtr>> components);
}  // namespace types

/// Builds a logical node type the IEC 61850-8-1 way: the LN is a structure whose components are
/// the functional constraints (in the order first added), each a structure of the data objects
/// (in the order added) restricted to the attributes of that FC.
///
///   auto lln0 = LogicalNodeBuilder()
///       .add("ST", "Mod", types::structure({{"stVal", types::integer(8)}, {"q", types::quality()},
///                                           {"t", types::timestamp()}}))
///       .add("CF", "Mod", types::structure({{"ctlModel", types::integer(8)}}))
///       .build();   // LLN0$ST$Mod$stVal, LLN0$CF$Mod$ctlModel
class LogicalNodeBuilder {
 public:
  LogicalNodeBuilder& add(std::string_view fc, std::string_view data_object, TypeSpecificationPtr type);
  [[nodiscard]] TypeSpecificationPtr build() const;

 private:
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, TypeSpecificationPtr>>>> fcs_;
};

/// The zero value of a type: false, 0, 0.0, fixed-size strings of zeros (variable ones empty),
/// bit strings of their fixed size (or empty), time zero, arrays of `number_of_elements`
/// zero elements (bounded by `limits.mms_max_list_elements`), structures of zero components.
/// A type_name type (not resolvable here) yields false.
[[nodiscard]] Data default_value(const TypeSpecification& type, const Limits& limits = default_limits());

/// True when `value` has the shape of `type` (alternative, structure member count, array
/// length, fixed sizes, float width, binary-time form, integer ranges by width).
[[nodiscard]] bool conforms(const TypeSpecification& type, const Data& value);

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

enum class Access : std::uint8_t { read_only, read_write };

/// ObjectClass (ISO 9506-2, as used by GetNameList): the classes this model holds.
enum class ObjectClass : std::uint32_t {
  named_variable = object_class::kNamedVariable,
  named_variable_list = object_class::kNamedVariableList,
  domain = object_class::kDomain,
};

/// The result of resolving an ObjectName (with `$` component path) in the model.
struct ComponentRef {
  const TypeSpecification* type = nullptr;  ///< the component's type
  Data* value = nullptr;                    ///< the component's current value (owned by the model)
  Access access = Access::read_only;        ///< effective access right of the component
};
struct ConstComponentRef {
  const TypeSpecification* type = nullptr;
  const Data* value = nullptr;
  Access access = Access::read_only;
};

struct NameList {
  std::vector<std::string> names;  ///< sorted (byte order), all after continueAfter
  bool more_follows = false;
};

struct NamedVariableListAttributes {
  bool deletable = true;
  std::vector<ObjectName> members;
};

/// Origin of a value change, for the change hook.
enum class ChangeSource : std::uint8_t { client_write, local_update };

/// Called after a value changed: the variable (domain/VMD scope, top-level name), the
/// component path below it ("" for the whole variable, "ST$Mod$stVal" otherwise), old and new
/// value of that component.
using ChangeCallback = std::function<void(const ObjectName& variable, std::string_view component_path,
                                          const Data& old_value, const Data& new_value, ChangeSource source)>;

/// Virtual manufacturing device: domains (IEC 61850 logical devices) holding named variables
/// (logical nodes) and named variable lists (data sets); VMD-specific variables and lists too.
///
/// Names: domain and variable names are Identifiers without `$`; a variable's component is
/// addressed as `Var$Comp$Sub...`; an array element as `Var$Comp$3` (decimal index, an
/// extension: Identifiers cannot start with a digit, so this never clashes with a name).
/// Every flattened name must fit Limits::mms_max_identifier, checked when a variable is defined.
///
/// References (ComponentRef::value, ConstComponentRef::value) stay valid until the variable is
/// deleted or redefined.
class Vmd {
 public:
  explicit Vmd(const Limits& limits = default_limits()) : limits_(limits) {}

  // ---- definition
  Status define_domain(std::string_view name);
  /// Define a named variable in a domain (`domain` non-empty) or VMD-specific (`domain` empty).
  /// `initial` defaults to default_value(*type); it must conform to the type.
  Status define_variable(std::string_view domain, std::string_view name, TypeSpecificationPtr type,
                         std::optional<Data> initial = std::nullopt, Access access = Access::read_only);
  Status define_variable(const ObjectName& name, TypeSpecificationPtr type,
                         std::optional<Data> initial = std::nullopt, Access access = Access::read_only);
  /// Change the access right of a variable or of one component subtree (`LLN0$CO` read-write
  /// while the rest of `LLN0` stays read-only). The most specific setting wins.
  Status set_access(const ObjectName& name, Access access);

  // ---- lookup, read, write
  [[nodiscard]] ModelResult<ComponentRef> lookup(const ObjectName& name);
  [[nodiscard]] ModelResult<ConstComponentRef> lookup(const ObjectName& name) const;
  [[nodiscard]] ModelResult<TypeSpecificationPtr> type_of(const ObjectName& name) const;
  /// Client read: object-non-existent for unknown names (also unknown domain), invalid-address
  /// for a bad array index.
  [[nodiscard]] ModelResult<Data> read(const ObjectName& name) const;
  /// Client write: object-non-existent, object-access-denied (read-only), type-inconsistent
  /// (shape mismatch), object-value-invalid (integer outside its width, string too long).
  [[nodiscard]] AccessStatus write(const ObjectName& name, const Data& value);
  /// Local (server application) update: like write but ignores access rights.
  [[nodiscard]] AccessStatus update(const ObjectName& name, const Data& value);

  // ---- change hook
  std::size_t subscribe(ChangeCallback cb);
  void unsubscribe(std::size_t id);

  // ---- GetNameList
  /// Names of `cls` in a scope (`domain` empty = VMD-specific; ignored for ObjectClass::domain),
  /// sorted, strictly after `continue_after`, at most `max_count` (0 = no limit).
  /// For named variables of a domain every flattened component name is listed (`LLN0`,
  /// `LLN0$CF`, `LLN0$CF$Mod`, ...) as IEC 61850 clients expect; array elements are not listed.
  /// Unknown domain: object-non-existent. Classes the model does not hold: an empty list.
  [[nodiscard]] ModelResult<NameList> name_list(ObjectClass cls, std::string_view domain,
                                                std::optional<std::string_view> continue_after,
                                                std::size_t max_count) const;

  // ---- named variable lists (data sets)
  Status define_named_variable_list(const ObjectName& name, std::vector<ObjectName> members,
                                    bool deletable = true);
  Status delete_named_variable_list(const ObjectName& name);
  /// DeleteNamedVariableList with scope domain (`domain` non-empty) or VMD: deletes every
  /// deletable list; returns {numberMatched, numberDeleted}.
  std::pair<std::size_t, std::size_t> delete_named_variable_lists(std::string_view domain);
  [[nodiscard]] Result<NamedVariableListAttributes> named_variable_list_attributes(
      const ObjectName& name) const;
  /// Read every member of a list (one AccessResult per member, in list order).
  [[nodiscard]] Result<std::vector<ModelResult<Data>>> read_list(const ObjectName& name) const;

  [[nodiscard]] const Limits& limits() const noexcept { return limits_; }

 private:
  struct Variable {
    TypeSpecificationPtr type;
    Data value;
    Access access = Access::read_only;
    std::map<std::string, Access, std::less<>> component_access;  ///< component path → access
  };
  struct NvList {
    NamedVariableListAttributes attrs;
  };
  struct Scope {
    std::map<std::string, Variable, std::less<>> variables;
    std::set<std::string, std::less<>> flattened;  ///< every listable name, kept sorted
    std::map<std::string, NvList, std::less<>> lists;
  };

  Scope* scope_for(const ObjectName& name);
  const Scope* scope_for(const ObjectName& name) const;
  AccessStatus store(const ObjectName& name, const Data& value, ChangeSource source);

  Limits limits_;
  Scope vmd_;
  std::map<std::string, Scope, std::less<>> domains_;
  std::map<std::size_t, ChangeCallback> callbacks_;
  std::size_t next_callback_ = 1;
};

}  // namespace mmssec::mms
