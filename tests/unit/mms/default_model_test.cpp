// SPDX-License-Identifier: Apache-2.0
// The default IED model: names, IEC 61850-8-1 MMS types, initial values, access rights, the
// data set, and the deterministic measurement ticker.
#include "mmssec/mms/default_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace mmssec::mms {
namespace {

ObjectName ld0(std::string item) { return ObjectName::domain_specific("LD0", std::move(item)); }

class DefaultModelTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(make_default_ied_model(vmd).ok()); }

  const TypeSpecification& type(const std::string& item) {
    auto t = vmd.type_of(ld0(item));
    EXPECT_TRUE(t.ok()) << item;
    static const TypeSpecification kNone{};
    if (!t.ok()) return kNone;
    kept_.push_back(*t);
    return **t;
  }
  Data value(const std::string& item) {
    auto v = vmd.read(ld0(item));
    EXPECT_TRUE(v.ok()) << item;
    return v.ok() ? *v : Data{};
  }
  float f(const std::string& item) {
    const Data d = value(item);
    const auto* fp = d.get<FloatingPoint>();
    EXPECT_NE(fp, nullptr) << item;
    return fp != nullptr ? static_cast<float>(fp->value) : -1.0F;
  }

  Vmd vmd;
  std::vector<TypeSpecificationPtr> kept_;
};

}  // namespace

TEST_F(DefaultModelTest, OneDomainLd0WithFiveLogicalNodes) {
  auto domains = vmd.name_list(ObjectClass::domain, "", std::nullopt, 0);
  ASSERT_TRUE(domains.ok());
  EXPECT_EQ(domains->names, std::vector<std::string>{"LD0"});
  auto vars = vmd.name_list(ObjectClass::named_variable, "LD0", std::nullopt, 0);
  ASSERT_TRUE(vars.ok());
  std::vector<std::string> lns;
  std::copy_if(vars->names.begin(), vars->names.end(), std::back_inserter(lns),
               [](const std::string& n) { return n.find('$') == std::string::npos; });
  EXPECT_EQ(lns, (std::vector<std::string>{"GGIO1", "LLN0", "LPHD1", "MMXU1", "XCBR1"}));
}

TEST_F(DefaultModelTest, DefiningTwiceFails) {
  const Status st = make_default_ied_model(vmd);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, make_error_code(ModelErrc::object_exists));
}

TEST_F(DefaultModelTest, FunctionalConstraintsInOrder) {
  const auto names = [](const TypeSpecification& t) {
    std::vector<std::string> out;
    for (const auto& c : t.components) out.push_back(c.name.value_or("?"));
    return out;
  };
  EXPECT_EQ(names(type("LLN0")), (std::vector<std::string>{"ST", "CF", "DC", "RP"}));
  EXPECT_EQ(names(type("LLN0$RP$urcb01")), (std::vector<std::string>{"RptID", "RptEna", "DatSet"}));
  EXPECT_EQ(names(type("LPHD1")), (std::vector<std::string>{"ST", "DC"}));
  EXPECT_EQ(names(type("MMXU1")), (std::vector<std::string>{"MX", "CF"}));
  EXPECT_EQ(names(type("GGIO1")), (std::vector<std::string>{"ST", "CO"}));
  EXPECT_EQ(names(type("XCBR1")), (std::vector<std::string>{"ST", "CO", "CF"}));
  EXPECT_EQ(names(type("GGIO1$ST")), (std::vector<std::string>{"Ind1", "Ind2", "Ind3", "Ind4"}));
  EXPECT_EQ(names(type("MMXU1$MX$PhV")), (std::vector<std::string>{"phsA", "phsB", "phsC"}));
  EXPECT_EQ(names(type("GGIO1$CO$SPCSO2$Oper")),
            (std::vector<std::string>{"ctlVal", "origin", "ctlNum", "T", "Test", "Check"}));
}

TEST_F(DefaultModelTest, Iec61850MmsTypes) {
  using K = TypeSpecification::Kind;
  // Quality: bit-string(13); TimeStamp: utc-time; Dbpos: bit-string(2).
  EXPECT_EQ(type("LLN0$ST$Mod$q").kind, K::bit_string);
  EXPECT_EQ(type("LLN0$ST$Mod$q").size, 13);
  EXPECT_EQ(type("MMXU1$MX$TotW$t").kind, K::utc_time);
  EXPECT_EQ(type("XCBR1$ST$Pos$stVal").kind, K::bit_string);
  EXPECT_EQ(type("XCBR1$ST$Pos$stVal").size, 2);
  EXPECT_EQ(type("LLN0$ST$Health$stVal").kind, K::integer);
  EXPECT_EQ(type("LLN0$ST$Health$stVal").size, 8);
  EXPECT_EQ(type("GGIO1$ST$Ind4$stVal").kind, K::boolean);
  EXPECT_EQ(type("MMXU1$MX$PhV$phsC$cVal$mag$f").kind, K::floating_point);
  EXPECT_EQ(type("MMXU1$MX$Hz$mag$f").format_width, 32);
  EXPECT_EQ(type("LLN0$DC$NamPlt$vendor").kind, K::visible_string);
  EXPECT_EQ(type("LLN0$DC$NamPlt$vendor").size, -255);
  EXPECT_EQ(type("MMXU1$CF$TotW$db").kind, K::unsigned_);
  EXPECT_EQ(type("MMXU1$CF$TotW$db").size, 32);
  EXPECT_EQ(type("XCBR1$CO$Pos$Oper$origin$orIdent").kind, K::octet_string);
  EXPECT_EQ(type("XCBR1$CO$Pos$Oper$Check").size, 2);
}

TEST_F(DefaultModelTest, InitialValues) {
  EXPECT_EQ(value("LLN0$ST$Mod$stVal"), Data(std::int64_t{1}));
  EXPECT_EQ(value("LLN0$ST$Health$stVal"), Data(std::int64_t{1}));
  EXPECT_EQ(value("LLN0$CF$Mod$ctlModel"), Data(std::int64_t{1}));
  EXPECT_EQ(value("XCBR1$ST$Pos$stVal"), Data(make_bit_string({1}, 2)));  // off = 01
  EXPECT_EQ(value("LLN0$DC$NamPlt$vendor"), Data(VisibleStringValue{"mmssec"}));
  EXPECT_EQ(value("LPHD1$DC$PhyNam$vendor"), Data(VisibleStringValue{"mmssec"}));
  EXPECT_EQ(value("GGIO1$ST$Ind1$stVal"), Data(false));
  EXPECT_EQ(value("GGIO1$ST$Ind1$q"), Data(make_bit_string({}, 13)));  // good
  EXPECT_EQ(value("MMXU1$CF$Hz$db"), Data(Unsigned{1000}));
}

TEST_F(DefaultModelTest, AccessRightsOnlyCoAndCfWritable) {
  EXPECT_FALSE(vmd.write(ld0("XCBR1$CO$Pos$Oper$ctlVal"), Data(true)));
  EXPECT_FALSE(vmd.write(ld0("LLN0$CF$Mod$ctlModel"), Data(std::int64_t{2})));
  EXPECT_EQ(vmd.write(ld0("XCBR1$ST$Pos$stVal"), Data(make_bit_string({0}, 2))),
            DataAccessError::object_access_denied);
  EXPECT_EQ(vmd.write(ld0("MMXU1$MX$TotW$mag$f"), Data(FloatingPoint{1.0, false})),
            DataAccessError::object_access_denied);
  EXPECT_EQ(vmd.write(ld0("LLN0$DC$NamPlt$vendor"), Data(VisibleStringValue{"x"})),
            DataAccessError::object_access_denied);
}

TEST_F(DefaultModelTest, ReportControlBlock) {
  EXPECT_EQ(value("LLN0$RP$urcb01$RptEna"), Data(false));
  EXPECT_EQ(value("LLN0$RP$urcb01$DatSet"), Data(VisibleStringValue{"LD0/LLN0$DataSet1"}));
  EXPECT_EQ(value("LLN0$RP$urcb01$RptID"), Data(VisibleStringValue{"LD0/LLN0$RP$urcb01"}));
  EXPECT_EQ(type("LLN0$RP$urcb01$RptEna").kind, TypeSpecification::Kind::boolean);
  EXPECT_EQ(type("LLN0$RP$urcb01$DatSet").size, -129);
  EXPECT_FALSE(vmd.write(ld0("LLN0$RP$urcb01$RptEna"), Data(true)));
  EXPECT_FALSE(vmd.write(ld0("LLN0$RP$urcb01$RptID"), Data(VisibleStringValue{"r"})));
  EXPECT_EQ(vmd.write(ld0("LLN0$RP$urcb01$DatSet"), Data(VisibleStringValue{"x"})),
            DataAccessError::object_access_denied);
  const auto controls = default_report_controls();
  ASSERT_EQ(controls.size(), 1U);
  EXPECT_EQ(controls[0].rpt_ena, ld0("LLN0$RP$urcb01$RptEna"));
  EXPECT_EQ(controls[0].dataset, ld0("LLN0$DataSet1"));
}

TEST_F(DefaultModelTest, DataSet1) {
  auto attrs = vmd.named_variable_list_attributes(ld0(std::string(kDefaultDataSet)));
  ASSERT_TRUE(attrs.ok());
  EXPECT_FALSE(attrs->deletable);
  EXPECT_EQ(attrs->members, (std::vector<ObjectName>{ld0("GGIO1$ST$Ind1"), ld0("GGIO1$ST$Ind2"),
                                                     ld0("XCBR1$ST$Pos"), ld0("LLN0$ST$Health")}));
  auto values = vmd.read_list(ld0(std::string(kDefaultDataSet)));
  ASSERT_TRUE(values.ok());
  for (const auto& v : *values) EXPECT_TRUE(v.ok());
}

TEST_F(DefaultModelTest, MeasurementsAtTimeZero) {
  EXPECT_FLOAT_EQ(f("MMXU1$MX$TotW$mag$f"), 1000.0F);
  EXPECT_FLOAT_EQ(f("MMXU1$MX$TotVAr$mag$f"), 250.0F);  // 200 + 50 cos 0
  EXPECT_FLOAT_EQ(f("MMXU1$MX$Hz$mag$f"), 50.0F);
  EXPECT_FLOAT_EQ(f("MMXU1$MX$PhV$phsA$cVal$mag$f"), 230.0F);
  EXPECT_FLOAT_EQ(f("MMXU1$MX$PhV$phsB$cVal$mag$f"), static_cast<float>(230.0 + 2.0 * std::sin(2.0944)));
}

TEST_F(DefaultModelTest, MeasurementsFollowTime) {
  ASSERT_TRUE(update_measurements(vmd, 15.0).ok());
  EXPECT_FLOAT_EQ(f("MMXU1$MX$TotW$mag$f"), 1250.0F);     // sin(pi/2)
  EXPECT_NEAR(f("MMXU1$MX$TotVAr$mag$f"), 200.0F, 1e-3);  // cos(pi/2)
  EXPECT_NEAR(f("MMXU1$MX$Hz$mag$f"), 50.0F, 1e-5);       // sin(3 pi)
  EXPECT_EQ(value("MMXU1$MX$TotW$t"), Data(utc_time_of(15.0)));
  EXPECT_EQ(value("MMXU1$MX$PhV$phsC$t"), Data(utc_time_of(15.0)));
  // Deterministic: the same t gives the same values.
  const Data before = value("MMXU1");
  ASSERT_TRUE(update_measurements(vmd, 15.0).ok());
  EXPECT_EQ(value("MMXU1"), before);
}

TEST_F(DefaultModelTest, MeasurementsFireTheChangeHook) {
  std::size_t changes = 0;
  const auto id =
      vmd.subscribe([&](const ObjectName& v, std::string_view, const Data&, const Data&, ChangeSource s) {
        EXPECT_EQ(v, ld0("MMXU1"));
        EXPECT_EQ(s, ChangeSource::local_update);
        ++changes;
      });
  ASSERT_TRUE(update_measurements(vmd, 2.5).ok());
  vmd.unsubscribe(id);
  EXPECT_EQ(changes, 12U);  // 6 values and 6 timestamps
}

TEST_F(DefaultModelTest, UpdateMeasurementsOnAnEmptyModelFails) {
  Vmd empty;
  EXPECT_FALSE(update_measurements(empty, 1.0).ok());
}

TEST(DefaultModelTime, UtcTimeOf) {
  const UtcTime t = utc_time_of(1700000000.5);
  EXPECT_EQ(t.seconds, 1700000000U);
  EXPECT_EQ(t.fraction, 0x800000U);  // one half as a 24-bit binary fraction
  EXPECT_EQ(t.quality, 0x0a);
  EXPECT_EQ(utc_time_of(-3.0).seconds, 0U);
  EXPECT_EQ(utc_time_of(-3.0).fraction, 0U);
}

}  // namespace mmssec::mms
