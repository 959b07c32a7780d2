// SPDX-License-Identifier: Apache-2.0
// Server naming model: `$` path lookup, reads, typed writes, rejected writes, access rights,
// GetNameList paging, named variable lists, the change hook and the type builders.
#include "mmssec/mms/model.hpp"

#include <gtest/gtest.h>

using namespace mmssec;
using namespace mmssec::mms;

namespace {

std::error_code code(ModelErrc e) { return make_error_code(e); }

// Mod (ST part): stVal INT8, q Quality, t TimeStamp; Mod (CF part): ctlModel INT8.
TypeSpecificationPtr lln0_type() {
  return LogicalNodeBuilder()
      .add("ST", "Mod",
           types::structure(
               {{"stVal", types::integer(8)}, {"q", types::quality()}, {"t", types::timestamp()}}))
      .add("ST", "Beh", types::structure({{"stVal", types::integer(8)}}))
      .add("CF", "Mod", types::structure({{"ctlModel", types::integer(8)}}))
      .add("DC", "NamPlt", types::structure({{"vendor", types::visible_string(-255)}}))
      .build();
}

TypeSpecificationPtr mmxu_type() {
  return LogicalNodeBuilder()
      .add("MX", "TotW",
           types::structure({{"mag", types::structure({{"f", types::float32()}})}, {"q", types::quality()}}))
      .add("MX", "Hz", types::array(3, types::float32()))
      .build();
}

class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(vmd.define_domain("LD0").ok());
    ASSERT_TRUE(vmd.define_variable("LD0", "LLN0", lln0_type()).ok());
    ASSERT_TRUE(vmd.define_variable("LD0", "MMXU1", mmxu_type(), std::nullopt, Access::read_write).ok());
  }
  static ObjectName ld0(std::string item) { return ObjectName::domain_specific("LD0", std::move(item)); }
  Vmd vmd;
};

}  // namespace

// ---------------------------------------------------------------- builder and default values

TEST(MmsModelTypes, LogicalNodeBuilderGroupsByFunctionalConstraint) {
  const auto t = lln0_type();
  ASSERT_EQ(t->kind, TypeSpecification::Kind::structure);
  ASSERT_EQ(t->components.size(), 3U);  // ST, CF, DC in first-added order
  EXPECT_EQ(t->components[0].name, "ST");
  EXPECT_EQ(t->components[1].name, "CF");
  EXPECT_EQ(t->components[2].name, "DC");
  ASSERT_EQ(t->components[0].type->components.size(), 2U);  // Mod, Beh
  EXPECT_EQ(t->components[0].type->components[1].name, "Beh");
}

TEST(MmsModelTypes, DefaultValueHasTheTypeShape) {
  const Data d = default_value(*lln0_type());
  EXPECT_TRUE(conforms(*lln0_type(), d));
  const auto* st = d.get<DataStructure>()->members[0].get<DataStructure>();
  const auto* mod = st->members[0].get<DataStructure>();
  EXPECT_EQ(mod->members[1].get<BitStringValue>()->size(), 13U);  // quality has its fixed size
  const Data hz = default_value(*types::array(3, types::float32()));
  EXPECT_EQ(hz.get<DataArray>()->items.size(), 3U);
  EXPECT_EQ(*hz.get<DataArray>()->items[0].get<FloatingPoint>(), (FloatingPoint{0.0, false}));
  EXPECT_TRUE(default_value(*types::binary_time(true)).get<BinaryTime>()->days.has_value());
}

TEST(MmsModelTypes, ConformsChecksRangesAndSizes) {
  EXPECT_TRUE(conforms(*types::integer(8), Data(std::int64_t{127})));
  EXPECT_FALSE(conforms(*types::integer(8), Data(std::int64_t{128})));
  EXPECT_TRUE(conforms(*types::integer(8), Data(std::int64_t{-128})));
  EXPECT_FALSE(conforms(*types::integer(8), Data(std::int64_t{-129})));
  EXPECT_TRUE(conforms(*types::unsigned_integer(8), Data(Unsigned{255})));
  EXPECT_FALSE(conforms(*types::unsigned_integer(8), Data(Unsigned{256})));
  EXPECT_FALSE(conforms(*types::float32(), Data(FloatingPoint{1.0, true})));
  EXPECT_TRUE(conforms(*types::float64(), Data(FloatingPoint{1.0, true})));
  EXPECT_FALSE(conforms(*types::visible_string(-3), Data(VisibleStringValue{"abcd"})));
  EXPECT_TRUE(conforms(*types::visible_string(-3), Data(VisibleStringValue{"abc"})));
  EXPECT_TRUE(conforms(*types::mms_string(-1), Data(MmsStringValue{"\xc3\xa9"})));  // one character
  EXPECT_FALSE(conforms(*types::octet_string(2), Data(OctetStringValue{{1}})));
  EXPECT_FALSE(conforms(*types::binary_time(true), Data(BinaryTime{0, std::nullopt})));
  EXPECT_FALSE(conforms(*types::bcd(2), Data(Bcd{100})));
  EXPECT_FALSE(conforms(*types::array(2, types::boolean()), Data(DataArray{{Data(true)}})));
  EXPECT_FALSE(conforms(*types::boolean(), Data(std::int64_t{1})));
}

// ---------------------------------------------------------------- lookup and read

TEST_F(ModelTest, LookupNestedDollarPath) {
  auto ref = vmd.lookup(ld0("LLN0$ST$Mod$stVal"));
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->type->kind, TypeSpecification::Kind::integer);
  EXPECT_EQ(ref->type->size, 8);
  EXPECT_EQ(*ref->value, Data(std::int64_t{0}));
  auto q = vmd.lookup(ld0("LLN0$ST$Mod$q"));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->type->kind, TypeSpecification::Kind::bit_string);
  auto fc = vmd.lookup(ld0("LLN0$CF"));
  ASSERT_TRUE(fc.ok());
  EXPECT_EQ(fc->type->kind, TypeSpecification::Kind::structure);
}

TEST_F(ModelTest, LookupReturnsAReferenceIntoTheModel) {
  auto ref = vmd.lookup(ld0("LLN0$ST$Mod$stVal"));
  ASSERT_TRUE(ref.ok());
  *ref->value = Data(std::int64_t{3});
  EXPECT_EQ(*vmd.read(ld0("LLN0$ST$Mod$stVal")), Data(std::int64_t{3}));
  // The parent sees the change as well.
  auto mod = vmd.read(ld0("LLN0$ST$Mod"));
  ASSERT_TRUE(mod.ok());
  EXPECT_EQ(mod->get<DataStructure>()->members[0], Data(std::int64_t{3}));
}

TEST_F(ModelTest, ReadUnknownNamesIsObjectNonExistent) {
  EXPECT_EQ(vmd.read(ld0("LLN1")).error(), DataAccessError::object_non_existent);
  EXPECT_EQ(vmd.read(ld0("LLN0$XX")).error(), DataAccessError::object_non_existent);
  EXPECT_EQ(vmd.read(ld0("LLN0$ST$Mod$stVal$x")).error(), DataAccessError::object_non_existent);
  EXPECT_EQ(vmd.read(ld0("LLN0$")).error(), DataAccessError::object_non_existent);
  EXPECT_EQ(vmd.read(ld0("LLN0$ST$$Mod")).error(), DataAccessError::object_non_existent);
  EXPECT_EQ(vmd.read(ld0("LLN0$ST$")).error(), DataAccessError::object_non_existent);
  EXPECT_EQ(vmd.read(ObjectName::domain_specific("LD9", "LLN0")).error(),
            DataAccessError::object_non_existent);
  EXPECT_EQ(vmd.read(ObjectName::vmd_specific("LLN0")).error(), DataAccessError::object_non_existent);
  EXPECT_EQ(vmd.read(ObjectName{ObjectName::Scope::aa, {}, "LLN0"}).error(),
            DataAccessError::object_non_existent);
}

TEST_F(ModelTest, ArrayElementsByIndex) {
  auto e = vmd.lookup(ld0("MMXU1$MX$Hz$2"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->type->kind, TypeSpecification::Kind::floating_point);
  EXPECT_EQ(vmd.read(ld0("MMXU1$MX$Hz$3")).error(), DataAccessError::invalid_address);
  EXPECT_EQ(vmd.read(ld0("MMXU1$MX$Hz$x")).error(), DataAccessError::object_non_existent);
}

TEST_F(ModelTest, TypeOfComponentSharesOwnership) {
  auto t = vmd.type_of(ld0("MMXU1$MX$TotW$mag$f"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->kind, TypeSpecification::Kind::floating_point);
  EXPECT_EQ((*t)->format_width, 32);
  EXPECT_EQ(vmd.type_of(ld0("nope")).error(), DataAccessError::object_non_existent);
}

// ---------------------------------------------------------------- write

TEST_F(ModelTest, TypedWriteOfComponent) {
  EXPECT_FALSE(vmd.write(ld0("MMXU1$MX$TotW$mag$f"), FloatingPoint{42.5, false}).has_value());
  EXPECT_EQ(*vmd.read(ld0("MMXU1$MX$TotW$mag$f")), Data(FloatingPoint{42.5, false}));
  EXPECT_FALSE(vmd.write(ld0("MMXU1$MX$Hz$1"), FloatingPoint{50.0, false}).has_value());
  EXPECT_EQ(vmd.read(ld0("MMXU1$MX$Hz"))->get<DataArray>()->items[1], Data(FloatingPoint{50.0, false}));
}

TEST_F(ModelTest, WriteOfWholeStructure) {
  const Data mag = DataStructure{{Data(FloatingPoint{1.0, false})}};
  BitStringValue q;
  q.set(12, false);
  EXPECT_FALSE(vmd.write(ld0("MMXU1$MX$TotW"), DataStructure{{mag, Data(q)}}).has_value());
}

TEST_F(ModelTest, WriteWithWrongTypeIsTypeInconsistent) {
  EXPECT_EQ(vmd.write(ld0("MMXU1$MX$TotW$mag$f"), true), DataAccessError::type_inconsistent);
  EXPECT_EQ(vmd.write(ld0("MMXU1$MX$TotW$mag$f"), FloatingPoint{1.0, true}),
            DataAccessError::type_inconsistent);
  // A structure with a member missing.
  EXPECT_EQ(vmd.write(ld0("MMXU1$MX$TotW"), DataStructure{{Data(DataStructure{{Data(FloatingPoint{})}})}}),
            DataAccessError::type_inconsistent);
  // Value unchanged after a rejected write.
  EXPECT_EQ(*vmd.read(ld0("MMXU1$MX$TotW$mag$f")), Data(FloatingPoint{0.0, false}));
}

TEST_F(ModelTest, WriteOfBadSizeIsObjectValueInvalid) {
  BitStringValue q;
  q.set(15, false);  // 16 bits where the quality has 13
  EXPECT_EQ(vmd.write(ld0("MMXU1$MX$TotW$q"), q), DataAccessError::object_value_invalid);
}

TEST_F(ModelTest, WriteToReadOnlyVariableIsAccessDenied) {
  EXPECT_EQ(vmd.write(ld0("LLN0$ST$Mod$stVal"), std::int64_t{1}), DataAccessError::object_access_denied);
  EXPECT_EQ(*vmd.read(ld0("LLN0$ST$Mod$stVal")), Data(std::int64_t{0}));
  // The server application may still update it.
  EXPECT_FALSE(vmd.update(ld0("LLN0$ST$Mod$stVal"), std::int64_t{1}).has_value());
  EXPECT_EQ(*vmd.read(ld0("LLN0$ST$Mod$stVal")), Data(std::int64_t{1}));
  // Updates are type checked too.
  EXPECT_EQ(vmd.update(ld0("LLN0$ST$Mod$stVal"), std::int64_t{300}), DataAccessError::object_value_invalid);
}

TEST_F(ModelTest, WriteToUnknownIsObjectNonExistent) {
  EXPECT_EQ(vmd.write(ld0("LLN0$CF$Nope"), true), DataAccessError::object_non_existent);
}

TEST_F(ModelTest, ComponentAccessOverrideMostSpecificWins) {
  ASSERT_TRUE(vmd.set_access(ld0("LLN0$CF"), Access::read_write).ok());
  EXPECT_FALSE(vmd.write(ld0("LLN0$CF$Mod$ctlModel"), std::int64_t{1}).has_value());
  EXPECT_EQ(vmd.write(ld0("LLN0$ST$Mod$stVal"), std::int64_t{1}), DataAccessError::object_access_denied);
  ASSERT_TRUE(vmd.set_access(ld0("LLN0$CF$Mod$ctlModel"), Access::read_only).ok());
  EXPECT_EQ(vmd.write(ld0("LLN0$CF$Mod$ctlModel"), std::int64_t{2}), DataAccessError::object_access_denied);
  EXPECT_EQ(vmd.set_access(ld0("LLN0$XX"), Access::read_write).error().code,
            code(ModelErrc::object_undefined));
  // Whole-variable access.
  ASSERT_TRUE(vmd.set_access(ld0("MMXU1"), Access::read_only).ok());
  EXPECT_EQ(vmd.write(ld0("MMXU1$MX$Hz$0"), FloatingPoint{}), DataAccessError::object_access_denied);
}

// ---------------------------------------------------------------- change hook

TEST_F(ModelTest, ChangeCallbackSeesOldAndNewValue) {
  std::vector<std::string> seen;
  const auto id = vmd.subscribe([&](const ObjectName& var, std::string_view path, const Data& old_value,
                                    const Data& new_value, ChangeSource src) {
    seen.push_back(var.to_string() + "|" + std::string(path) + "|" +
                   std::to_string(*old_value.get<std::int64_t>()) + "->" +
                   std::to_string(*new_value.get<std::int64_t>()) + "|" +
                   (src == ChangeSource::local_update ? "local" : "client"));
  });
  ASSERT_FALSE(vmd.update(ld0("LLN0$ST$Mod$stVal"), std::int64_t{4}).has_value());
  ASSERT_TRUE(vmd.set_access(ld0("LLN0$CF"), Access::read_write).ok());
  ASSERT_FALSE(vmd.write(ld0("LLN0$CF$Mod$ctlModel"), std::int64_t{2}).has_value());
  // Rejected writes do not notify.
  ASSERT_TRUE(vmd.write(ld0("LLN0$ST$Mod$stVal"), std::int64_t{5}).has_value());
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0], "LD0/LLN0|ST$Mod$stVal|0->4|local");
  EXPECT_EQ(seen[1], "LD0/LLN0|CF$Mod$ctlModel|0->2|client");
  vmd.unsubscribe(id);
  ASSERT_FALSE(vmd.update(ld0("LLN0$ST$Mod$stVal"), std::int64_t{6}).has_value());
  EXPECT_EQ(seen.size(), 2U);
}

// ---------------------------------------------------------------- definitions

TEST_F(ModelTest, DefineErrors) {
  EXPECT_EQ(vmd.define_domain("LD0").error().code, code(ModelErrc::object_exists));
  EXPECT_EQ(vmd.define_domain("1LD").error().code, code(ModelErrc::invalid_name));
  EXPECT_EQ(vmd.define_domain("L$D").error().code, code(ModelErrc::invalid_name));
  EXPECT_EQ(vmd.define_variable("LD0", "LLN0", types::boolean()).error().code,
            code(ModelErrc::object_exists));
  EXPECT_EQ(vmd.define_variable("LD9", "X", types::boolean()).error().code,
            code(ModelErrc::object_undefined));
  EXPECT_EQ(vmd.define_variable("LD0", "A$B", types::boolean()).error().code, code(ModelErrc::invalid_name));
  EXPECT_EQ(vmd.define_variable("LD0", "X", nullptr).error().code, code(ModelErrc::type_inconsistent));
  EXPECT_EQ(vmd.define_variable("LD0", "X", types::boolean(), Data(std::int64_t{1})).error().code,
            code(ModelErrc::type_inconsistent));
  EXPECT_EQ(
      vmd.define_variable("LD0", "X", types::structure({{"a", types::boolean()}, {"a", types::boolean()}}))
          .error()
          .code,
      code(ModelErrc::type_inconsistent));
  EXPECT_EQ(vmd.define_variable(ObjectName{ObjectName::Scope::aa, {}, "X"}, types::boolean()).error().code,
            code(ModelErrc::unsupported_scope));
  EXPECT_EQ(service_error_for(ModelErrc::object_exists).error_class, ErrorClass::definition);
  EXPECT_EQ(service_error_for(ModelErrc::object_exists).code, 5);
  EXPECT_EQ(service_error_for(ModelErrc::object_undefined).code, 1);
  EXPECT_EQ(service_error_for(ModelErrc::not_deletable).error_class, ErrorClass::access);
  EXPECT_STREQ(model_category().name(), "mms");
}

TEST(MmsModelLimits, FlattenedNameAboveIdentifierLimit) {
  Limits l;
  l.mms_max_identifier = 8;
  Vmd vmd(l);
  ASSERT_TRUE(vmd.define_domain("LD0").ok());
  EXPECT_TRUE(
      vmd.define_variable("LD0", "LN", types::structure({{"abc", types::boolean()}})).ok());  // "LN$abc"
  EXPECT_EQ(vmd.define_variable("LD0", "LN2", types::structure({{"abcdef", types::boolean()}})).error().code,
            code(ModelErrc::invalid_name));
}

TEST(MmsModelLimits, ArrayAboveListLimit) {
  Limits l;
  l.mms_max_list_elements = 4;
  Vmd vmd(l);
  EXPECT_TRUE(vmd.define_variable("", "A", types::array(4, types::boolean())).ok());
  EXPECT_EQ(vmd.define_variable("", "B", types::array(5, types::boolean())).error().code,
            code(ModelErrc::too_many_elements));
}

TEST(MmsModelLimits, TypeNestingAboveDepthLimit) {
  Limits l;
  l.mms_max_data_depth = 2;
  Vmd vmd(l);
  EXPECT_TRUE(vmd.define_variable("", "A", types::structure({{"b", types::structure({})}})).ok());
  EXPECT_EQ(
      vmd.define_variable("", "B", types::structure({{"b", types::structure({{"c", types::structure({})}})}}))
          .error()
          .code,
      code(ModelErrc::type_inconsistent));
}

TEST(MmsModelVmdScope, VmdSpecificVariables) {
  Vmd vmd;
  ASSERT_TRUE(
      vmd.define_variable("", "Temp", types::float32(), Data(FloatingPoint{20.5, false}), Access::read_write)
          .ok());
  EXPECT_EQ(*vmd.read(ObjectName::vmd_specific("Temp")), Data(FloatingPoint{20.5, false}));
  auto names = vmd.name_list(ObjectClass::named_variable, "", std::nullopt, 0);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->names, (std::vector<std::string>{"Temp"}));
}

// ---------------------------------------------------------------- GetNameList

TEST_F(ModelTest, NameListOfDomains) {
  ASSERT_TRUE(vmd.define_domain("CTRL").ok());
  auto n = vmd.name_list(ObjectClass::domain, "", std::nullopt, 0);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->names, (std::vector<std::string>{"CTRL", "LD0"}));
  EXPECT_FALSE(n->more_follows);
}

TEST_F(ModelTest, NameListOfVariablesIsFlattenedAndSorted) {
  auto n = vmd.name_list(ObjectClass::named_variable, "LD0", std::nullopt, 0);
  ASSERT_TRUE(n.ok());
  const std::vector<std::string> expected = {"LLN0",
                                             "LLN0$CF",
                                             "LLN0$CF$Mod",
                                             "LLN0$CF$Mod$ctlModel",
                                             "LLN0$DC",
                                             "LLN0$DC$NamPlt",
                                             "LLN0$DC$NamPlt$vendor",
                                             "LLN0$ST",
                                             "LLN0$ST$Beh",
                                             "LLN0$ST$Beh$stVal",
                                             "LLN0$ST$Mod",
                                             "LLN0$ST$Mod$q",
                                             "LLN0$ST$Mod$stVal",
                                             "LLN0$ST$Mod$t",
                                             "MMXU1",
                                             "MMXU1$MX",
                                             "MMXU1$MX$Hz",
                                             "MMXU1$MX$TotW",
                                             "MMXU1$MX$TotW$mag",
                                             "MMXU1$MX$TotW$mag$f",
                                             "MMXU1$MX$TotW$q"};
  EXPECT_EQ(n->names, expected);
  EXPECT_FALSE(n->more_follows);
}

TEST_F(ModelTest, NameListPagingWithContinueAfter) {
  auto p1 = vmd.name_list(ObjectClass::named_variable, "LD0", std::nullopt, 5);
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->names.size(), 5U);
  EXPECT_TRUE(p1->more_follows);
  EXPECT_EQ(p1->names.back(), "LLN0$DC");
  auto p2 = vmd.name_list(ObjectClass::named_variable, "LD0", p1->names.back(), 5);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(p2->names.front(), "LLN0$DC$NamPlt");
  // continueAfter need not exist: names strictly after it.
  auto p3 = vmd.name_list(ObjectClass::named_variable, "LD0", std::string_view("MMXU1$MX$TotW$mag$f"), 5);
  ASSERT_TRUE(p3.ok());
  EXPECT_EQ(p3->names, (std::vector<std::string>{"MMXU1$MX$TotW$q"}));
  EXPECT_FALSE(p3->more_follows);
  auto p4 = vmd.name_list(ObjectClass::named_variable, "LD0", std::string_view("M"), 1);
  ASSERT_TRUE(p4.ok());
  EXPECT_EQ(p4->names, (std::vector<std::string>{"MMXU1"}));
  EXPECT_TRUE(p4->more_follows);
  // Exactly max_count remaining: no moreFollows.
  auto p5 = vmd.name_list(ObjectClass::named_variable, "LD0", std::string_view("MMXU1$MX$TotW$mag"), 2);
  ASSERT_TRUE(p5.ok());
  EXPECT_EQ(p5->names.size(), 2U);
  EXPECT_FALSE(p5->more_follows);
}

TEST_F(ModelTest, NameListOfUnknownDomain) {
  EXPECT_EQ(vmd.name_list(ObjectClass::named_variable, "LD9", std::nullopt, 0).error(),
            DataAccessError::object_non_existent);
}

// ---------------------------------------------------------------- named variable lists

TEST_F(ModelTest, NamedVariableListDefineReadDelete) {
  const ObjectName ds = ld0("LLN0$DataSet1");
  ASSERT_TRUE(vmd.define_named_variable_list(ds, {ld0("LLN0$ST$Mod$stVal"), ld0("MMXU1$MX$TotW")}).ok());
  auto attrs = vmd.named_variable_list_attributes(ds);
  ASSERT_TRUE(attrs.ok());
  EXPECT_TRUE(attrs->deletable);
  ASSERT_EQ(attrs->members.size(), 2U);
  EXPECT_EQ(attrs->members[1], ld0("MMXU1$MX$TotW"));
  auto values = vmd.read_list(ds);
  ASSERT_TRUE(values.ok());
  ASSERT_EQ(values->size(), 2U);
  EXPECT_EQ((*values)[0].value(), Data(std::int64_t{0}));
  auto names = vmd.name_list(ObjectClass::named_variable_list, "LD0", std::nullopt, 0);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->names, (std::vector<std::string>{"LLN0$DataSet1"}));
  EXPECT_EQ(vmd.define_named_variable_list(ds, {}).error().code, code(ModelErrc::object_exists));
  ASSERT_TRUE(vmd.delete_named_variable_list(ds).ok());
  EXPECT_EQ(vmd.named_variable_list_attributes(ds).error().code, code(ModelErrc::object_undefined));
  EXPECT_EQ(vmd.delete_named_variable_list(ds).error().code, code(ModelErrc::object_undefined));
}

TEST_F(ModelTest, NamedVariableListWithUnknownMemberIsRejected) {
  EXPECT_EQ(vmd.define_named_variable_list(ld0("LLN0$DS"), {ld0("LLN0$ST$Nope")}).error().code,
            code(ModelErrc::object_undefined));
  EXPECT_EQ(vmd.define_named_variable_list(ObjectName::domain_specific("LD9", "DS"), {}).error().code,
            code(ModelErrc::object_undefined));
  EXPECT_EQ(vmd.define_named_variable_list(ld0("1DS"), {}).error().code, code(ModelErrc::invalid_name));
  EXPECT_EQ(vmd.define_named_variable_list(ObjectName{ObjectName::Scope::aa, {}, "DS"}, {}).error().code,
            code(ModelErrc::unsupported_scope));
}

TEST_F(ModelTest, NamedVariableListAboveListLimit) {
  Limits l;
  l.mms_max_list_elements = 1;
  Vmd small(l);
  ASSERT_TRUE(small.define_variable("", "A", types::boolean()).ok());
  EXPECT_TRUE(
      small.define_named_variable_list(ObjectName::vmd_specific("L1"), {ObjectName::vmd_specific("A")}).ok());
  EXPECT_EQ(small
                .define_named_variable_list(ObjectName::vmd_specific("L2"),
                                            {ObjectName::vmd_specific("A"), ObjectName::vmd_specific("A")})
                .error()
                .code,
            code(ModelErrc::too_many_elements));
}

TEST_F(ModelTest, ServerDefinedListIsNotDeletable) {
  ASSERT_TRUE(vmd.define_named_variable_list(ld0("LLN0$Fixed"), {ld0("LLN0$ST")}, false).ok());
  ASSERT_TRUE(vmd.define_named_variable_list(ld0("LLN0$Dyn"), {ld0("LLN0$ST")}).ok());
  EXPECT_EQ(vmd.delete_named_variable_list(ld0("LLN0$Fixed")).error().code, code(ModelErrc::not_deletable));
  const auto [matched, deleted] = vmd.delete_named_variable_lists("LD0");
  EXPECT_EQ(matched, 2U);
  EXPECT_EQ(deleted, 1U);
  EXPECT_TRUE(vmd.named_variable_list_attributes(ld0("LLN0$Fixed")).ok());
}

TEST_F(ModelTest, ReadListReportsPerMemberErrors) {
  // A VMD-specific list whose member is later unreachable keeps reading the others.
  ASSERT_TRUE(vmd.define_variable("", "V", types::boolean(), Data(true)).ok());
  ASSERT_TRUE(vmd.define_named_variable_list(ObjectName::vmd_specific("L"),
                                             {ObjectName::vmd_specific("V"), ld0("MMXU1$MX$Hz$0")})
                  .ok());
  auto values = vmd.read_list(ObjectName::vmd_specific("L"));
  ASSERT_TRUE(values.ok());
  EXPECT_EQ((*values)[0].value(), Data(true));
  EXPECT_TRUE((*values)[1].ok());
  // The pdu.hpp AccessResult form.
  const AccessResult ok = to_access_result(vmd.read(ObjectName::vmd_specific("V")));
  ASSERT_TRUE(std::holds_alternative<Data>(ok));
  const AccessResult bad = to_access_result(vmd.read(ObjectName::vmd_specific("W")));
  EXPECT_EQ(std::get<DataAccessError>(bad), DataAccessError::object_non_existent);
}
