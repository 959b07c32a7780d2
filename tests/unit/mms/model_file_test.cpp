// SPDX-License-Identifier: Apache-2.0
// The model file loader: every statement, type and value form; the sample files (default.model
// must equal the embedded default IED); every error with its code, line, column and message;
// every limit; load_model_file's file handling.
#include "mmssec/mms/model_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "mmssec/ber/ber.hpp"
#include "mmssec/mms/default_model.hpp"

namespace mmssec::mms {
namespace {

namespace fs = std::filesystem;

fs::path samples_dir() {
  return fs::path(__FILE__).parent_path() / ".." / ".." / ".." / "samples" / "models";
}

ObjectName dom(std::string domain, std::string item) {
  return ObjectName::domain_specific(std::move(domain), std::move(item));
}

Bytes encode_type(const TypeSpecification& t) {
  Bytes out;
  ber::Writer w(out);
  encode_type_specification(w, t);
  return out;
}

std::vector<std::string> names(const Vmd& vmd, ObjectClass cls, const std::string& domain) {
  auto r = vmd.name_list(cls, domain, std::nullopt, 0);
  EXPECT_TRUE(r.ok()) << domain;
  return r.ok() ? r->names : std::vector<std::string>{};
}

/// Same domains, names, types (by their encoding), values, access rights and lists.
void expect_same_models(const Vmd& expected, const Vmd& actual) {
  const auto domains = names(expected, ObjectClass::domain, "");
  ASSERT_EQ(domains, names(actual, ObjectClass::domain, ""));
  std::vector<std::string> scopes = {""};
  scopes.insert(scopes.end(), domains.begin(), domains.end());
  for (const std::string& scope : scopes) {
    auto object = [&](const std::string& item) {
      return scope.empty() ? ObjectName::vmd_specific(item) : dom(scope, item);
    };
    const auto vars = names(expected, ObjectClass::named_variable, scope);
    const auto actual_vars = names(actual, ObjectClass::named_variable, scope);
    for (const std::string& v : vars) {
      EXPECT_TRUE(std::binary_search(actual_vars.begin(), actual_vars.end(), v)) << "missing " << v;
    }
    for (const std::string& v : actual_vars) {
      EXPECT_TRUE(std::binary_search(vars.begin(), vars.end(), v)) << "unexpected " << v;
    }
    ASSERT_EQ(vars, actual_vars) << scope;
    for (const std::string& v : vars) {
      const ObjectName n = object(v);
      auto te = expected.type_of(n);
      auto ta = actual.type_of(n);
      ASSERT_TRUE(te.ok() && ta.ok()) << n.to_string();
      EXPECT_EQ(encode_type(**te), encode_type(**ta)) << n.to_string();
      auto ve = expected.read(n);
      auto va = actual.read(n);
      ASSERT_TRUE(ve.ok() && va.ok()) << n.to_string();
      EXPECT_EQ(*ve, *va) << n.to_string();
      EXPECT_EQ(expected.lookup(n)->access, actual.lookup(n)->access) << n.to_string();
    }
    const auto lists = names(expected, ObjectClass::named_variable_list, scope);
    ASSERT_EQ(lists, names(actual, ObjectClass::named_variable_list, scope)) << scope;
    for (const std::string& l : lists) {
      auto le = expected.named_variable_list_attributes(object(l));
      auto la = actual.named_variable_list_attributes(object(l));
      ASSERT_TRUE(le.ok() && la.ok()) << l;
      EXPECT_EQ(le->members, la->members) << l;
      EXPECT_EQ(le->deletable, la->deletable) << l;
    }
  }
}

LoadedModel load_ok(std::string_view text, Vmd& vmd, const ModelFileOptions& options = {}) {
  auto r = load_model(text, vmd, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
  return r.ok() ? *r : LoadedModel{};
}

Data read(const Vmd& vmd, const ObjectName& n) {
  auto v = vmd.read(n);
  EXPECT_TRUE(v.ok()) << n.to_string();
  return v.ok() ? *v : Data{};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The sample files
// ---------------------------------------------------------------------------------------------

TEST(ModelFileDefault, SameAsEmbeddedDefaultModel) {
  Vmd embedded;
  ASSERT_TRUE(make_default_ied_model(embedded).ok());
  Vmd loaded;
  auto r = load_model_file((samples_dir() / "default.model").string(), loaded);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  expect_same_models(embedded, loaded);
  // The identity lines restate ServerIdentity's defaults.
  ASSERT_TRUE(r->identity.has_value());
  const ServerIdentity defaults;
  EXPECT_EQ(r->identity->vendor, defaults.vendor);
  EXPECT_EQ(r->identity->model, defaults.model);
  EXPECT_EQ(r->identity->revision, defaults.revision);
  EXPECT_EQ(r->domains, 1U);
  EXPECT_EQ(r->logical_nodes, 5U);
  EXPECT_EQ(r->variables, 0U);
  EXPECT_EQ(r->data_sets, 1U);
  const auto controls = default_report_controls();
  ASSERT_EQ(r->report_controls.size(), controls.size());
  for (std::size_t i = 0; i < controls.size(); ++i) {
    EXPECT_EQ(r->report_controls[i].rpt_ena, controls[i].rpt_ena);
    EXPECT_EQ(r->report_controls[i].dataset, controls[i].dataset);
  }
}

TEST(ModelFileDefault, MeasurementTickerWorksOnLoadedModel) {
  Vmd embedded;
  ASSERT_TRUE(make_default_ied_model(embedded).ok());
  Vmd loaded;
  ASSERT_TRUE(load_model_file((samples_dir() / "default.model").string(), loaded).ok());
  ASSERT_TRUE(update_measurements(embedded, 12.5).ok());
  ASSERT_TRUE(update_measurements(loaded, 12.5).ok());
  expect_same_models(embedded, loaded);
}

TEST(ModelFileSamples, SubstationLoads) {
  Vmd vmd;
  auto r = load_model_file((samples_dir() / "substation.model").string(), vmd);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->domains, 2U);
  EXPECT_EQ(r->logical_nodes, 9U);
  EXPECT_EQ(r->variables, 4U);
  EXPECT_EQ(r->data_sets, 3U);
  ASSERT_TRUE(r->identity.has_value());
  EXPECT_EQ(r->identity->model, "substation bay sample");
  EXPECT_EQ(names(vmd, ObjectClass::domain, ""), (std::vector<std::string>{"CTRL", "PROT"}));
  EXPECT_EQ(read(vmd, dom("CTRL", "XCBR1$ST$Pos$stVal")), Data(make_bit_string({0}, 2)));
  EXPECT_EQ(read(vmd, dom("CTRL", "XCBR1$ST$OpCnt$stVal")), Data(std::int64_t{42}));
  EXPECT_EQ(read(vmd, dom("CTRL", "MMXU1$MX$PhV$phsB$cVal$mag$f")),
            Data(FloatingPoint{static_cast<double>(229.8F), false}));
  EXPECT_EQ(read(vmd, dom("CTRL", "MMXU1$MX$TotW$t")), Data(UtcTime{1714564800, 0x800000, 0x0a}));
  EXPECT_EQ(read(vmd, dom("PROT", "PTOC1$SP$StrVal$setMag$f")), Data(FloatingPoint{600.0, false}));
  EXPECT_EQ(read(vmd, ObjectName::vmd_specific("StationName")), Data(VisibleStringValue{"Riverside 110 kV"}));
  EXPECT_EQ(vmd.lookup(dom("PROT", "PTOC1$SP$StrVal$setMag$f"))->access, Access::read_write);
  EXPECT_EQ(vmd.lookup(dom("PROT", "PTOC1$SP$TmACrv$setCharact"))->access, Access::read_only);
  EXPECT_EQ(vmd.lookup(dom("CTRL", "CSWI1$CO$Pos$Oper$ctlVal"))->access, Access::read_write);
  auto ds = vmd.named_variable_list_attributes(dom("CTRL", "LLN0$Positions"));
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ(ds->members.size(), 3U);
  EXPECT_FALSE(ds->deletable);
  auto list = vmd.read_list(dom("PROT", "LLN0$Trips"));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2U);
}

// ---------------------------------------------------------------------------------------------
// Statements, types and values
// ---------------------------------------------------------------------------------------------

TEST(ModelFile, EmptyAndCommentOnlyTextDefinesNothing) {
  for (std::string_view text : {"", "\n\n", "# only a comment\n   # indented\n\t\n", "format 1\n"}) {
    Vmd vmd;
    const LoadedModel m = load_ok(text, vmd);
    EXPECT_FALSE(m.identity.has_value());
    EXPECT_EQ(m.domains + m.logical_nodes + m.variables + m.data_sets, 0U);
    EXPECT_TRUE(names(vmd, ObjectClass::domain, "").empty());
  }
}

TEST(ModelFile, EveryBasicTypeWithValue) {
  Vmd vmd;
  load_ok(R"(domain D
variable D/b   boolean = true
variable D/i8  int8 = -128
variable D/i16 int16 = 32767
variable D/i32 int32 = -2147483648
variable D/i64 int64 = -9223372036854775808
variable D/i64max int64 = 9223372036854775807
variable D/hex int16 = -0x7fff
variable D/u8  uint8 = 255
variable D/u16 uint16 = 0xFFFF
variable D/u32 uint32 = 4294967295
variable D/f32 float32 = 0.1
variable D/f64 float64 = 0.1
variable D/fexp float64 = -1.5e3
variable D/fplus float32 = +2
variable D/bits bit-string 3 = '101'B
variable D/vbits bit-string <=16 = ''B
variable D/oct octet-string 2 = '0aFF'H
variable D/voct octet-string <=4 = ''H
variable D/vis visible-string 3 = "a\"\\"
variable D/vvis visible-string <=20 = "# not a comment"
variable D/mms mms-string <=5 = "Grüße"
variable D/utc utc-time = 2024-02-29T23:59:59.25Z
variable D/ts timestamp = { 2106-02-07T06:28:15.99999999Z, 255 }
variable D/q quality
)",
          vmd);
  auto v = [&](const char* item) { return read(vmd, dom("D", item)); };
  EXPECT_EQ(v("b"), Data(true));
  EXPECT_EQ(v("i8"), Data(std::int64_t{-128}));
  EXPECT_EQ(v("i16"), Data(std::int64_t{32767}));
  EXPECT_EQ(v("i32"), Data(std::int64_t{-2147483648LL}));
  EXPECT_EQ(v("i64"), Data(std::numeric_limits<std::int64_t>::min()));
  EXPECT_EQ(v("i64max"), Data(std::numeric_limits<std::int64_t>::max()));
  EXPECT_EQ(v("hex"), Data(std::int64_t{-0x7fff}));
  EXPECT_EQ(v("u8"), Data(Unsigned{255}));
  EXPECT_EQ(v("u16"), Data(Unsigned{0xFFFF}));
  EXPECT_EQ(v("u32"), Data(Unsigned{4294967295ULL}));
  EXPECT_EQ(v("f32"), Data(FloatingPoint{static_cast<double>(0.1F), false}));
  EXPECT_EQ(v("f64"), Data(FloatingPoint{0.1, true}));
  EXPECT_EQ(v("fexp"), Data(FloatingPoint{-1500.0, true}));
  EXPECT_EQ(v("fplus"), Data(FloatingPoint{2.0, false}));
  EXPECT_EQ(v("bits"), Data(make_bit_string({0, 2}, 3)));
  EXPECT_EQ(v("vbits"), Data(BitStringValue{}));
  EXPECT_EQ(v("oct"), Data(OctetStringValue{{0x0a, 0xff}}));
  EXPECT_EQ(v("voct"), Data(OctetStringValue{}));
  EXPECT_EQ(v("vis"), Data(VisibleStringValue{"a\"\\"}));
  EXPECT_EQ(v("vvis"), Data(VisibleStringValue{"# not a comment"}));
  EXPECT_EQ(v("mms"), Data(MmsStringValue{"Grüße"}));
  // 2024-02-29T23:59:59Z = 1709251199; .25 s = 0x400000 / 2^24.
  EXPECT_EQ(v("utc"), Data(UtcTime{1709251199, 0x400000, 0}));
  // The largest 32-bit time; .99999999 rounds to 2^24 and is kept at 0xFFFFFF.
  EXPECT_EQ(v("ts"), Data(UtcTime{0xFFFFFFFFU, 0xFFFFFF, 255}));
  EXPECT_EQ(v("q"), Data(make_bit_string({}, 13)));
  EXPECT_EQ(encode_type(**vmd.type_of(dom("D", "vvis"))), encode_type(*types::visible_string(-20)));
  EXPECT_EQ(encode_type(**vmd.type_of(dom("D", "mms"))), encode_type(*types::mms_string(-5)));
  EXPECT_EQ(encode_type(**vmd.type_of(dom("D", "f64"))), encode_type(*types::float64()));
}

TEST(ModelFile, SpecialFloatsAndDefaults) {
  Vmd vmd;
  load_ok(
      "variable Inf float64 = inf\nvariable NaN float32 = nan\nvariable Zero float32\n"
      "variable Fixed visible-string 3\nvariable Arr array 2 of int8\n",
      vmd);
  EXPECT_TRUE(std::isinf(read(vmd, ObjectName::vmd_specific("Inf")).get<FloatingPoint>()->value));
  EXPECT_TRUE(std::isnan(read(vmd, ObjectName::vmd_specific("NaN")).get<FloatingPoint>()->value));
  EXPECT_EQ(read(vmd, ObjectName::vmd_specific("Zero")), Data(FloatingPoint{0.0, false}));
  EXPECT_EQ(read(vmd, ObjectName::vmd_specific("Fixed")), Data(VisibleStringValue{"   "}));
  EXPECT_EQ(read(vmd, ObjectName::vmd_specific("Arr")),
            Data(DataArray{{Data(std::int64_t{0}), Data(std::int64_t{0})}}));
}

TEST(ModelFile, StructureAndArrayTypesAndValues) {
  Vmd vmd;
  load_ok(R"(domain D
variable D/Rec { a int8, b { c boolean, d array 2 of uint8 } } = { -1, { true, [1, 2] } } rw
variable D/Pts array 2 of { x float32, y float32 } = [ { 1, 2 }, { 3, 4.5 } ]
variable D/Grid array 2 of array 3 of int8 = [[1, 2, 3], [4, 5, 6]]
)",
          vmd);
  const auto rec = types::structure(
      {{"a", types::integer(8)},
       {"b",
        types::structure({{"c", types::boolean()}, {"d", types::array(2, types::unsigned_integer(8))}})}});
  EXPECT_EQ(encode_type(**vmd.type_of(dom("D", "Rec"))), encode_type(*rec));
  EXPECT_EQ(read(vmd, dom("D", "Rec$b$d$1")), Data(Unsigned{2}));
  EXPECT_EQ(read(vmd, dom("D", "Pts$1$y")), Data(FloatingPoint{4.5, false}));
  EXPECT_EQ(read(vmd, dom("D", "Grid$1$2")), Data(std::int64_t{6}));
  EXPECT_EQ(vmd.lookup(dom("D", "Rec$b$c"))->access, Access::read_write);
  EXPECT_EQ(names(vmd, ObjectClass::named_variable, "D"),
            (std::vector<std::string>{"Grid", "Pts", "Rec", "Rec$a", "Rec$b", "Rec$b$c", "Rec$b$d"}));
}

TEST(ModelFile, LogicalNodeBlockMatchesLogicalNodeBuilder) {
  Vmd vmd;
  load_ok(R"(domain LD0
ln LD0/XCBR1
  ST Pos.stVal bit-string 2 = '01'B
  CF Pos.ctlModel int8 = 1 rw
  ST Pos.q quality
  CO Pos.Oper.ctlVal boolean
  ST Loc.stVal boolean = true
  ST Pos.t timestamp
end
)",
          vmd);
  // Functional constraints and data objects in the order first mentioned.
  const auto expected =
      LogicalNodeBuilder()
          .add("ST", "Pos",
               types::structure(
                   {{"stVal", types::bit_string(2)}, {"q", types::quality()}, {"t", types::timestamp()}}))
          .add("ST", "Loc", types::structure({{"stVal", types::boolean()}}))
          .add("CF", "Pos", types::structure({{"ctlModel", types::integer(8)}}))
          .add("CO", "Pos", types::structure({{"Oper", types::structure({{"ctlVal", types::boolean()}})}}))
          .build();
  EXPECT_EQ(encode_type(**vmd.type_of(dom("LD0", "XCBR1"))), encode_type(*expected));
  EXPECT_EQ(read(vmd, dom("LD0", "XCBR1$ST$Pos$stVal")), Data(make_bit_string({1}, 2)));
  EXPECT_EQ(read(vmd, dom("LD0", "XCBR1$ST$Loc$stVal")), Data(true));
  EXPECT_EQ(read(vmd, dom("LD0", "XCBR1$CF$Pos$ctlModel")), Data(std::int64_t{1}));
  EXPECT_EQ(vmd.lookup(dom("LD0", "XCBR1$CF$Pos$ctlModel"))->access, Access::read_write);
  EXPECT_EQ(vmd.lookup(dom("LD0", "XCBR1$CF$Pos"))->access, Access::read_only);
  EXPECT_EQ(vmd.lookup(dom("LD0", "XCBR1$ST$Pos$q"))->access, Access::read_only);
}

TEST(ModelFile, AccessRights) {
  Vmd vmd;
  load_ok(R"(domain D
variable D/Rw int32 = 0 rw
variable D/Ro int32 = 0 ro
variable D/Def int32
ln D/GGIO1
  CO SPCSO1.ctlVal boolean
  CO SPCSO2.ctlVal boolean ro
end
access D/GGIO1$CO rw
access D/Def rw
access D/Rw ro
)",
          vmd);
  EXPECT_FALSE(vmd.write(dom("D", "Def"), std::int64_t{5}).has_value());
  EXPECT_EQ(vmd.write(dom("D", "Rw"), std::int64_t{5}), DataAccessError::object_access_denied);
  EXPECT_EQ(vmd.write(dom("D", "Ro"), std::int64_t{5}), DataAccessError::object_access_denied);
  EXPECT_FALSE(vmd.write(dom("D", "GGIO1$CO$SPCSO1$ctlVal"), true).has_value());
  // The explicit `ro` on the attribute is more specific than `access ... $CO rw`.
  EXPECT_EQ(vmd.write(dom("D", "GGIO1$CO$SPCSO2$ctlVal"), true), DataAccessError::object_access_denied);
}

TEST(ModelFile, NamedTypesAndSet) {
  Vmd vmd;
  load_ok(R"(type SPS = { stVal boolean, q quality, t timestamp }
type Pair = { a SPS, b SPS }
domain D
ln D/GGIO1
  ST Ind1 SPS
  ST Ind2 Pair
end
variable D/Plain SPS = { true, '0000000000001'B, 1970-01-01T00:00:01Z }
set D/GGIO1$ST$Ind1$stVal = true
set D/GGIO1$ST$Ind2$b = { true, '1000000000000'B, { 1970-01-01T00:00:02Z, 10 } }
)",
          vmd);
  const auto sps =
      types::structure({{"stVal", types::boolean()}, {"q", types::quality()}, {"t", types::timestamp()}});
  EXPECT_EQ(encode_type(**vmd.type_of(dom("D", "GGIO1$ST$Ind1"))), encode_type(*sps));
  EXPECT_EQ(encode_type(**vmd.type_of(dom("D", "Plain"))), encode_type(*sps));
  EXPECT_EQ(read(vmd, dom("D", "GGIO1$ST$Ind1$stVal")), Data(true));
  EXPECT_EQ(read(vmd, dom("D", "GGIO1$ST$Ind2$b$t")), Data(UtcTime{2, 0, 10}));
  EXPECT_EQ(read(vmd, dom("D", "GGIO1$ST$Ind2$a$stVal")), Data(false));
  EXPECT_EQ(read(vmd, dom("D", "Plain$q")), Data(make_bit_string({12}, 13)));
}

TEST(ModelFile, SetFiresNoChangeHook) {
  Vmd vmd;
  int calls = 0;
  vmd.subscribe(
      [&](const ObjectName&, std::string_view, const Data&, const Data&, ChangeSource) { ++calls; });
  load_ok("variable X int8\nset X = 3\n", vmd);
  EXPECT_EQ(read(vmd, ObjectName::vmd_specific("X")), Data(std::int64_t{3}));
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(vmd.update(ObjectName::vmd_specific("X"), std::int64_t{4}).has_value());
  EXPECT_EQ(calls, 1);  // the hook survived the load
}

TEST(ModelFile, DataSetsOneLineAndBlock) {
  Vmd vmd;
  const LoadedModel m = load_ok(R"(domain D
variable D/A int8
variable D/B { x int8, y int8 }
variable V int8
dataset D/LLN0$One = D/A, D/B$y,V
dataset VmdList
  D/B
  V
end
)",
                                vmd);
  EXPECT_EQ(m.data_sets, 2U);
  auto one = vmd.named_variable_list_attributes(dom("D", "LLN0$One"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->members,
            (std::vector<ObjectName>{dom("D", "A"), dom("D", "B$y"), ObjectName::vmd_specific("V")}));
  EXPECT_FALSE(one->deletable);
  auto two = vmd.named_variable_list_attributes(ObjectName::vmd_specific("VmdList"));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->members, (std::vector<ObjectName>{dom("D", "B"), ObjectName::vmd_specific("V")}));
}

TEST(ModelFile, ReportControls) {
  Vmd vmd;
  const LoadedModel m = load_ok(R"(domain D
variable D/A int8
variable D/Ena boolean rw
variable D/Rcb { RptEna boolean } rw
dataset D/DS = D/A
report D/Ena dataset D/DS
report D/Rcb$RptEna dataset D/DS
)",
                                vmd);
  ASSERT_EQ(m.report_controls.size(), 2U);
  EXPECT_EQ(m.report_controls[0].rpt_ena, dom("D", "Ena"));
  EXPECT_EQ(m.report_controls[0].dataset, dom("D", "DS"));
  EXPECT_EQ(m.report_controls[1].rpt_ena, dom("D", "Rcb$RptEna"));
}

TEST(ModelFile, PartialIdentityKeepsDefaults) {
  Vmd vmd;
  const LoadedModel m = load_ok("identity model \"Bay controller\"\n", vmd);
  ASSERT_TRUE(m.identity.has_value());
  EXPECT_EQ(m.identity->vendor, ServerIdentity{}.vendor);
  EXPECT_EQ(m.identity->model, "Bay controller");
  EXPECT_EQ(m.identity->revision, ServerIdentity{}.revision);
}

TEST(ModelFile, CrlfTabsAndTrailingComments) {
  Vmd vmd;
  load_ok("format 1\r\ndomain\tD   # logical device\r\nln D/L\r\n\tST\tX.stVal\tint8=7#seven\r\nend\r\n",
          vmd);
  EXPECT_EQ(read(vmd, dom("D", "L$ST$X$stVal")), Data(std::int64_t{7}));
}

TEST(ModelFile, ExtendsAnExistingModel) {
  Vmd vmd;
  ASSERT_TRUE(make_default_ied_model(vmd).ok());
  load_ok("dataset LD0/LLN0$Extra = LD0/GGIO1$ST$Ind3\naccess LD0/LLN0$DC rw\ndomain LD1\n", vmd);
  EXPECT_TRUE(vmd.named_variable_list_attributes(dom("LD0", "LLN0$Extra")).ok());
  EXPECT_EQ(vmd.lookup(dom("LD0", "LLN0$DC$NamPlt$d"))->access, Access::read_write);
  EXPECT_EQ(names(vmd, ObjectClass::domain, ""), (std::vector<std::string>{"LD0", "LD1"}));
}

TEST(ModelFile, FailureLeavesTheVmdUnchanged) {
  Vmd vmd;
  ASSERT_TRUE(make_default_ied_model(vmd).ok());
  Vmd before;
  ASSERT_TRUE(make_default_ied_model(before).ok());
  auto r = load_model(
      "domain LD1\nvariable LD1/X int8 = 1\nset LD0/LLN0$ST$Mod$stVal = 4\nvariable LD1/Y flaot32\n", vmd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 4U);
  expect_same_models(before, vmd);
}

TEST(ModelFile, ValueOfAnUnsupportedTypeCannotBeSet) {
  Vmd vmd;
  ASSERT_TRUE(vmd.define_variable("", "Gt", types::generalized_time()).ok());
  auto r = load_model("set Gt = 2024-01-01T00:00:00Z\n", vmd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error.code, make_error_code(ModelFileErrc::bad_value));
  EXPECT_NE(r.error().message.find("cannot be written"), std::string::npos) << r.error().message;
}

// ---------------------------------------------------------------------------------------------
// Errors: code, line, column and message of every failure
// ---------------------------------------------------------------------------------------------

namespace {

enum class Setup : std::uint8_t { normal, tight };

struct ErrorCase {
  const char* name;
  std::string text;
  ModelFileErrc code;
  std::size_t line;     ///< expected line (0: whole-file error)
  std::string at;       ///< the error points at the first occurrence of this in its line ("": unchecked)
  std::string message;  ///< a substring of the message
  Setup setup = Setup::normal;
};

std::ostream& operator<<(std::ostream& os, const ErrorCase& c) { return os << c.name; }

/// Tight limits reach the limit paths with short texts.
Limits tight_limits() {
  Limits l;
  l.mms_max_data_depth = 4;
  l.mms_max_list_elements = 3;
  l.mms_max_identifier = 16;
  l.mms_max_string = 8;
  return l;
}
ModelFileOptions tight_options() {
  ModelFileOptions o;
  o.max_file_size = 1000;
  o.max_line_length = 80;
  o.max_objects = 20;
  o.max_value_bytes = 4096;
  return o;
}

std::string_view line_of(std::string_view text, std::size_t line) {
  std::size_t start = 0;
  for (std::size_t i = 1; i < line; ++i) start = text.find('\n', start) + 1;
  const std::size_t end = text.find('\n', start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

class ModelFileErrors : public ::testing::TestWithParam<ErrorCase> {};

std::string many_domains(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "domain D" + std::to_string(i) + "\n";
  return s;
}

const std::string kD = "domain D\n";  // most cases need a domain

// clang-format off
const ErrorCase kErrorCases[] = {
  // ---- lines and tokens
  {"UnterminatedString", "identity vendor \"abc", ModelFileErrc::syntax_error, 1, "\"abc", "not closed"},
  {"UnknownEscape", "identity vendor \"a\\qb\"", ModelFileErrc::syntax_error, 1, "\\q", "unknown escape"},
  {"QuoteLiteralWithoutSuffix", "variable X bit-string 2 = '01'", ModelFileErrc::syntax_error, 1, "'01'", "expected a bit string '0101'B"},
  {"QuoteLiteralUnclosed", "variable X bit-string 2 = '01", ModelFileErrc::syntax_error, 1, "'01", "expected a bit string"},
  {"BitLiteralBadDigit", "variable X bit-string 2 = '02'B", ModelFileErrc::syntax_error, 1, "'02'B", "only 0 and 1"},
  {"HexLiteralBadDigit", "variable X octet-string 1 = 'zz'H", ModelFileErrc::syntax_error, 1, "'zz'H", "only hex digits"},
  {"InvalidUtf8", "domain D\n# \xff\n", ModelFileErrc::syntax_error, 2, "\xff", "invalid UTF-8"},
  {"OverlongUtf8", "# \xc0\xaf", ModelFileErrc::syntax_error, 1, "\xc0", "invalid UTF-8"},
  {"OverlongThreeOctetUtf8", "# \xe0\x80\xaf", ModelFileErrc::syntax_error, 1, "\xe0", "invalid UTF-8"},
  {"SurrogateUtf8", "# ok \xc3\xa4 \xed\xa0\x80", ModelFileErrc::syntax_error, 1, "\xed", "invalid UTF-8"},
  {"AboveUnicodeUtf8", "# \xf4\x90\x80\x80", ModelFileErrc::syntax_error, 1, "\xf4", "invalid UTF-8"},
  {"TruncatedUtf8", "# \xe2\x82", ModelFileErrc::syntax_error, 1, "\xe2", "invalid UTF-8"},
  {"BrokenContinuationUtf8", "# \xe2\x41\x41", ModelFileErrc::syntax_error, 1, "\xe2", "invalid UTF-8"},
  {"ControlCharacter", std::string("domain\x01", 7) + "D", ModelFileErrc::syntax_error, 1, "\x01", "control character 1"},
  {"NulCharacter", std::string("domain D\0", 9), ModelFileErrc::syntax_error, 1, std::string("\0", 1), "control character 0"},
  {"LineTooLong", "domain D\n#" + std::string(80, 'x'), ModelFileErrc::limit_exceeded, 2, "#", "max_line_length", Setup::tight},
  {"TextTooLarge", std::string(1001, '\n'), ModelFileErrc::limit_exceeded, 0, "", "max_file_size", Setup::tight},

  // ---- statements
  {"StatementStartsWithPunctuation", "= 1", ModelFileErrc::syntax_error, 1, "=", "expected a statement keyword"},
  {"UnknownKeyword", "domian D", ModelFileErrc::unknown_keyword, 1, "domian", "did you mean 'domain'?"},
  {"AttributeLineOutsideLn", kD + "ST Mod.stVal int8", ModelFileErrc::unknown_keyword, 2, "ST", "inside an 'ln' block"},
  {"EndWithoutBlock", "end", ModelFileErrc::unterminated_block, 1, "end", "without an open"},
  {"FormatNotFirst", kD + "format 1", ModelFileErrc::syntax_error, 2, "format", "must be the first statement"},
  {"FormatMissingVersion", "format", ModelFileErrc::syntax_error, 1, "", "expected a version number"},
  {"FormatUnsupported", "format 2", ModelFileErrc::unsupported_format, 1, "2", "this loader reads version 1"},
  {"FormatTrailing", "format 1 x", ModelFileErrc::syntax_error, 1, "x", "unexpected 'x' after the format version"},
  {"IdentityBadField", "identity vendr \"x\"", ModelFileErrc::syntax_error, 1, "vendr", "'vendor', 'model' or 'revision'"},
  {"IdentityMissingString", "identity vendor x", ModelFileErrc::syntax_error, 1, "x", "expected a quoted string"},
  {"IdentityNotPrintable", "identity vendor \"caf\xc3\xa9\"", ModelFileErrc::bad_value, 1, "\"caf", "printable ASCII"},
  {"IdentityTooLong", "identity vendor \"123456789\"", ModelFileErrc::limit_exceeded, 1, "\"1", "mms_max_string", Setup::tight},
  {"IdentityTwice", "identity vendor \"a\"\nidentity vendor \"b\"", ModelFileErrc::duplicate, 2, "vendor", "already set at line 1"},
  {"IdentityTrailing", "identity vendor \"a\" b", ModelFileErrc::syntax_error, 1, "b", "after the identity string"},
  {"DomainMissingName", "domain", ModelFileErrc::syntax_error, 1, "", "expected a domain name"},
  {"DomainStartsWithDigit", "domain 1LD", ModelFileErrc::invalid_name, 1, "1LD", "starts with a digit"},
  {"DomainWithDollar", "domain L$D", ModelFileErrc::invalid_name, 1, "L$D", "contains '$'"},
  {"DomainBadCharacter", "domain L-D", ModelFileErrc::invalid_name, 1, "L-D", "contains the character '-'"},
  {"DomainNonAscii", "domain L\xc3\x84", ModelFileErrc::invalid_name, 1, "L", "outside A-Z a-z 0-9 _"},
  {"DomainNameTooLong", "domain " + std::string(130, 'A'), ModelFileErrc::invalid_name, 1, "AAA", "130 characters long (limit 129"},
  {"DomainTwice", kD + "domain D", ModelFileErrc::duplicate, 2, "D", "already defined"},
  {"DomainTrailing", "domain D E", ModelFileErrc::syntax_error, 1, "E", "after the domain name"},
  {"ReferenceNotAWord", "variable \"X\" int8", ModelFileErrc::syntax_error, 1, "\"X\"", "expected a variable reference"},
  {"ReferenceTwoSlashes", kD + "variable D/B/C int8", ModelFileErrc::invalid_name, 2, "D/B/C", "more than one '/'"},
  {"ReferenceUndefinedDomain", "variable B/X int8", ModelFileErrc::undefined, 1, "B/X", "declare it with 'domain B' first"},
  {"ReferenceBadDomain", "variable 1B/X int8", ModelFileErrc::invalid_name, 1, "1B/X", "domain name '1B'"},
  {"ReferenceEmptyItem", kD + "variable D/ int8", ModelFileErrc::invalid_name, 2, "D/", "is empty"},
  {"VariableNameWithDollar", "variable X$Y int8", ModelFileErrc::invalid_name, 1, "X$Y", "contains '$'"},
  {"VariableTwice", "variable X int8\nvariable X int16", ModelFileErrc::duplicate, 2, "X", "already defined"},
  {"VariableMissingType", "variable X", ModelFileErrc::syntax_error, 1, "", "expected a type after 'X'"},
  {"VariableTrailingAfterType", "variable X int8 foo", ModelFileErrc::syntax_error, 1, "foo", "expected '=', 'rw', 'ro'"},
  {"VariableTrailingAfterValue", "variable X int8 = 1 foo", ModelFileErrc::syntax_error, 1, "foo", "expected 'rw', 'ro' or the end"},
  {"VariableTrailingAfterAccess", "variable X int8 = 1 rw x", ModelFileErrc::syntax_error, 1, "x", "after the access right"},
  {"VariableMissingValue", "variable X int8 =", ModelFileErrc::bad_value, 1, "", "found the end of the line"},

  // ---- ln blocks
  {"LnInVmdScope", "ln LLN0", ModelFileErrc::syntax_error, 1, "LLN0", "expected DOMAIN/NAME"},
  {"LnTwice", kD + "variable D/X int8\nln D/X", ModelFileErrc::duplicate, 3, "D/X", "already defined"},
  {"LnHeaderTrailing", kD + "ln D/X y", ModelFileErrc::syntax_error, 2, "y", "after the logical node reference"},
  {"LnLineNotAWord", kD + "ln D/X\n{ }\nend", ModelFileErrc::syntax_error, 3, "{", "expected a data attribute line"},
  {"LnBadFunctionalConstraint", kD + "ln D/X\n  S-T Mod int8\nend", ModelFileErrc::invalid_name, 3, "S-T", "functional constraint"},
  {"LnMissingPath", kD + "ln D/X\n  ST\nend", ModelFileErrc::syntax_error, 3, "", "expected a data object path"},
  {"LnEmptyPathSegment", kD + "ln D/X\n  ST Mod..q int8\nend", ModelFileErrc::invalid_name, 3, "Mod..q", "path segment '' is empty"},
  {"LnPathTooDeep", kD + "ln D/X\n ST a.b.c.d int8\nend", ModelFileErrc::limit_exceeded, 3, "a.b", "mms_max_data_depth", Setup::tight},
  {"LnFlattenedNameTooLong", kD + "ln D/LLN0\n ST Mod.abcdefghij int8\nend", ModelFileErrc::invalid_name, 3, "Mod.", "22 characters long (limit 16", Setup::tight},
  {"LnMissingType", kD + "ln D/X\n  ST Mod.stVal\nend", ModelFileErrc::syntax_error, 3, "", "expected a type after 'Mod.stVal'"},
  {"LnAttributeTwice", kD + "ln D/X\n ST Mod.stVal int8\n ST Mod.stVal int8\nend", ModelFileErrc::duplicate, 4, "Mod", "'ST Mod.stVal' is already defined at line 3"},
  {"LnTypedThenComponents", kD + "ln D/X\n ST Mod int8\n ST Mod.stVal int8\nend", ModelFileErrc::duplicate, 4, "Mod", "defined with a type at line 3 and cannot have components"},
  {"LnComponentsThenTyped", kD + "ln D/X\n ST Mod.stVal int8\n ST Mod int8\nend", ModelFileErrc::duplicate, 4, "Mod", "already has components"},
  {"LnKeywordInBlock", kD + "ln D/X\n ST a int8\ndomain E", ModelFileErrc::unterminated_block, 4, "domain", "inside the block 'ln D/X' opened at line 2"},
  {"LnWithoutAttributes", kD + "ln D/X\nend", ModelFileErrc::syntax_error, 2, "D/X", "has no data attributes"},
  {"LnNotClosed", kD + "ln D/X\n ST a int8\n", ModelFileErrc::unterminated_block, 2, "D/X", "not closed with 'end'"},
  {"LnEndTrailing", kD + "ln D/X\n ST a int8\nend x", ModelFileErrc::syntax_error, 4, "x", "after 'end'"},
  {"LnTooManyComponents", kD + "ln D/X\n ST a int8\n ST b int8\n ST c int8\n ST d int8\nend", ModelFileErrc::limit_exceeded, 6, "d", "mms_max_list_elements", Setup::tight},

  // ---- data sets
  {"DataSetTwice", kD + "variable D/A int8\ndataset D/S = D/A\ndataset D/S = D/A", ModelFileErrc::duplicate, 4, "D/S", "already defined"},
  {"DataSetBadName", kD + "variable D/A int8\ndataset D/1S = D/A", ModelFileErrc::invalid_name, 3, "D/1S", "data set name '1S'"},
  {"DataSetUndefinedMember", kD + "variable D/A int8\ndataset D/S = D/A, D/B", ModelFileErrc::undefined, 3, "D/B", "member 'D/B' does not exist"},
  {"DataSetUndefinedComponent", kD + "variable D/A int8\ndataset D/S = D/A$x", ModelFileErrc::undefined, 3, "D/A$x", "does not exist"},
  {"DataSetTooManyMembers", kD + "variable D/A int8\nvariable D/B int8\ndataset D/S = D/A, D/A, D/A, D/B", ModelFileErrc::limit_exceeded, 4, "D/B", "mms_max_list_elements", Setup::tight},
  {"DataSetBadSeparator", kD + "variable D/A int8\ndataset D/S = D/A D/B", ModelFileErrc::syntax_error, 3, "D/B", "expected ',' or the end of the line"},
  {"DataSetTrailingComma", kD + "variable D/A int8\ndataset D/S = D/A,", ModelFileErrc::syntax_error, 3, "", "expected a data set member reference"},
  {"DataSetHeaderTrailing", kD + "dataset D/S x", ModelFileErrc::syntax_error, 2, "x", "expected '=' and the members"},
  {"DataSetBlockEmpty", kD + "dataset D/S\nend", ModelFileErrc::syntax_error, 2, "D/S", "has no members"},
  {"DataSetBlockTwoPerLine", kD + "variable D/A int8\ndataset D/S\n D/A x\nend", ModelFileErrc::syntax_error, 4, "x", "one member per line"},
  {"DataSetBlockKeyword", kD + "variable D/A int8\ndataset D/S\n D/A\nvariable D/B int8", ModelFileErrc::unterminated_block, 5, "variable", "inside the block 'dataset D/S'"},
  {"DataSetBlockEndTrailing", kD + "variable D/A int8\ndataset D/S\n D/A\nend x", ModelFileErrc::syntax_error, 5, "x", "after 'end'"},
  {"DataSetNotClosed", kD + "variable D/A int8\ndataset D/S\n D/A\n", ModelFileErrc::unterminated_block, 3, "D/S", "not closed with 'end'"},

  // ---- access, type, set
  {"AccessUndefined", kD + "access D/X rw", ModelFileErrc::undefined, 2, "D/X", "'D/X' does not exist"},
  {"AccessMissingRight", kD + "variable D/X int8\naccess D/X", ModelFileErrc::syntax_error, 3, "", "expected 'rw' or 'ro'"},
  {"AccessTrailing", kD + "variable D/X int8\naccess D/X rw x", ModelFileErrc::syntax_error, 3, "x", "after the access right"},
  {"TypeMissingName", "type", ModelFileErrc::syntax_error, 1, "", "expected a type name"},
  {"TypeBadName", "type 1X = int8", ModelFileErrc::invalid_name, 1, "1X", "type name '1X'"},
  {"TypeBuiltInName", "type int8 = int16", ModelFileErrc::duplicate, 1, "int8", "built-in type"},
  {"TypeArrayName", "type array = int16", ModelFileErrc::duplicate, 1, "array", "built-in type"},
  {"TypeTwice", "type T = int8\ntype T = int16", ModelFileErrc::duplicate, 2, "T", "already defined at line 1"},
  {"TypeMissingEquals", "type T int8", ModelFileErrc::syntax_error, 1, "int8", "expected '='"},
  {"TypeTrailing", "type T = int8 x", ModelFileErrc::syntax_error, 1, "x", "after the type"},
  {"TypeTooDeepWhereUsed", kD + "type Deep = { a { b { c int8 } } }\nln D/X\n ST d Deep\nend", ModelFileErrc::limit_exceeded, 4, "Deep", "nests deeper than 4", Setup::tight},
  {"TypeNameTooLongWhereUsed", "type T = { abcdefgh int8 }\nvariable LONGNAME1 T", ModelFileErrc::invalid_name, 2, "T", "flattened name 18 characters long", Setup::tight},
  {"ReportEnableUndefined", "report X dataset Y", ModelFileErrc::undefined, 1, "X", "'X' does not exist"},
  {"ReportEnableNotBoolean", "variable X int8\nreport X dataset Y", ModelFileErrc::bad_value, 2, "X", "'X' is int8, not boolean"},
  {"ReportEnableTwice", "variable X boolean\nvariable A int8\ndataset Y = A\nreport X dataset Y\nreport X dataset Y", ModelFileErrc::duplicate, 5, "X", "already has a report"},
  {"ReportMissingDatasetKeyword", "variable X boolean\nreport X Y", ModelFileErrc::syntax_error, 2, "Y", "expected 'dataset'"},
  {"ReportBadDatasetName", "variable X boolean\nreport X dataset 1Y", ModelFileErrc::invalid_name, 2, "1Y", "data set name '1Y'"},
  {"ReportDatasetUndefined", "variable X boolean\nreport X dataset Y", ModelFileErrc::undefined, 2, "Y", "data set 'Y' does not exist"},
  {"ReportTrailing", "variable X boolean\nvariable A int8\ndataset Y = A\nreport X dataset Y z", ModelFileErrc::syntax_error, 4, "z", "after the data set reference"},
  {"SetUndefined", "set X = 1", ModelFileErrc::undefined, 1, "X", "'X' does not exist"},
  {"SetMissingEquals", "variable X int8\nset X 1", ModelFileErrc::syntax_error, 2, "1", "expected '=' after the reference"},
  {"SetBadValue", "variable X int8\nset X = 300", ModelFileErrc::bad_value, 2, "300", "out of range for int8"},
  {"SetTrailing", "variable X int8\nset X = 1 2", ModelFileErrc::syntax_error, 2, "2", "after the value"},

  // ---- types
  {"UnknownType", "variable X flaot32", ModelFileErrc::unknown_type, 1, "flaot32", "did you mean 'float32'?"},
  {"UnknownTypeListsNamedTypes", "type Sps = boolean\nvariable X sps", ModelFileErrc::unknown_type, 2, "sps", "did you mean 'Sps'?"},
  {"TypeExpectedFoundPunctuation", "variable X =", ModelFileErrc::syntax_error, 1, "=", "expected a type, found '='"},
  {"StructureComponentNotAWord", "variable X { = }", ModelFileErrc::syntax_error, 1, "= }", "expected a component name"},
  {"StructureComponentBadName", "variable X { 1a int8 }", ModelFileErrc::invalid_name, 1, "1a", "component name '1a'"},
  {"StructureComponentTwice", "variable X { a int8, a int16 }", ModelFileErrc::duplicate, 1, "a int16", "'a' appears twice"},
  {"StructureBadSeparator", "variable X { a int8 b int8 }", ModelFileErrc::syntax_error, 1, "b int8", "expected ',' or '}'"},
  {"StructureNotClosed", "variable X { a int8", ModelFileErrc::syntax_error, 1, "", "found the end of the line"},
  {"StructureTooDeep", "variable X { a { b { c { d { e int8 } } } } }", ModelFileErrc::limit_exceeded, 1, "{ e", "mms_max_data_depth", Setup::tight},
  {"StructureTooManyComponents", "variable X { a int8, b int8, c int8, d int8 }", ModelFileErrc::limit_exceeded, 1, "d int8", "mms_max_list_elements", Setup::tight},
  {"StructureFlattenedNameTooLong", "variable ABCDEFGH { ijklmnopq int8 }", ModelFileErrc::invalid_name, 1, "ijklmnopq", "ending in '$ijklmnopq' is 18 characters", Setup::tight},
  {"ArrayMissingCount", "variable X array of int8", ModelFileErrc::syntax_error, 1, "of", "expected the number of elements"},
  {"ArrayZeroElements", "variable X array 0 of int8", ModelFileErrc::syntax_error, 1, "0", "1 or more"},
  {"ArrayNegativeCount", "variable X array -1 of int8", ModelFileErrc::syntax_error, 1, "-1", "1 or more"},
  {"ArrayTooLarge", "variable X array 10001 of int8", ModelFileErrc::limit_exceeded, 1, "10001", "more than 10000 elements"},
  {"ArrayCountOverflow", "variable X array 99999999999999999999 of int8", ModelFileErrc::limit_exceeded, 1, "999", "mms_max_list_elements"},
  {"ArrayMissingOf", "variable X array 2 int8", ModelFileErrc::syntax_error, 1, "int8", "expected 'of'"},
  {"ArrayTooDeep", "variable X array 1 of array 1 of array 1 of array 1 of array 1 of int8", ModelFileErrc::limit_exceeded, 1, "array 1 of int8", "mms_max_data_depth", Setup::tight},
  {"SizeMissing", "variable X visible-string", ModelFileErrc::syntax_error, 1, "", "expected a size after 'visible-string'"},
  {"SizeNotANumber", "variable X bit-string x", ModelFileErrc::syntax_error, 1, "x", "N (exactly N) or <=N"},
  {"SizeZero", "variable X octet-string 0", ModelFileErrc::syntax_error, 1, "0", "expected a size"},
  {"SizeNegative", "variable X mms-string -5", ModelFileErrc::syntax_error, 1, "-5", "expected a size"},
  {"SizeOnlyPrefix", "variable X mms-string <=", ModelFileErrc::syntax_error, 1, "<=", "expected a size"},
  {"SizeTooLarge", "variable X visible-string 65536", ModelFileErrc::limit_exceeded, 1, "65536", "mms_max_string"},
  {"VariableSizeTooLarge", "variable X visible-string <=70000", ModelFileErrc::limit_exceeded, 1, "<=70000", "mms_max_string"},

  // ---- values
  {"BooleanBad", "variable X boolean = 1", ModelFileErrc::bad_value, 1, "1", "expected true or false for boolean, found '1'"},
  {"IntegerMalformed", "variable X int8 = 1.5", ModelFileErrc::bad_value, 1, "1.5", "expected an integer"},
  {"IntegerEmptyHex", "variable X int8 = 0x", ModelFileErrc::bad_value, 1, "0x", "expected an integer"},
  {"IntegerOnlySign", "variable X int8 = -", ModelFileErrc::bad_value, 1, "-", "expected an integer"},
  {"IntegerQuoted", "variable X int8 = \"1\"", ModelFileErrc::bad_value, 1, "\"1\"", "expected an integer"},
  {"Int8TooLarge", "variable X int8 = 128", ModelFileErrc::bad_value, 1, "128", "out of range for int8 (-128..127)"},
  {"Int8TooSmall", "variable X int8 = -129", ModelFileErrc::bad_value, 1, "-129", "(-128..127)"},
  {"Int64Overflow", "variable X int64 = 99999999999999999999", ModelFileErrc::bad_value, 1, "999", "out of range for int64"},
  {"UnsignedNegative", "variable X uint8 = -1", ModelFileErrc::bad_value, 1, "-1", "out of range for uint8 (0..255)"},
  {"Uint32TooLarge", "variable X uint32 = 4294967296", ModelFileErrc::bad_value, 1, "4294967296", "(0..4294967295)"},
  {"FloatMalformed", "variable X float32 = abc", ModelFileErrc::bad_value, 1, "abc", "expected a number for float32"},
  {"FloatTrailingJunk", "variable X float64 = 1.5x", ModelFileErrc::bad_value, 1, "1.5x", "expected a number"},
  {"FloatOnlySign", "variable X float64 = +", ModelFileErrc::bad_value, 1, "+", "expected a number"},
  {"FloatQuoted", "variable X float64 = \"1\"", ModelFileErrc::bad_value, 1, "\"1\"", "expected a number"},
  {"Float32OutOfRange", "variable X float32 = 1e39", ModelFileErrc::bad_value, 1, "1e39", "out of range for float32"},
  {"Float64OutOfRange", "variable X float64 = -1e400", ModelFileErrc::bad_value, 1, "-1e400", "out of range for float64"},
  {"BitStringWrongKind", "variable X bit-string 2 = 1", ModelFileErrc::bad_value, 1, "1", "expected a bit string '0101'B"},
  {"BitStringWrongSize", "variable X bit-string 2 = '1'B", ModelFileErrc::bad_value, 1, "'1'B", "holds exactly 2 bits"},
  {"BitStringTooLong", "variable X bit-string <=2 = '111'B", ModelFileErrc::bad_value, 1, "'111'B", "holds at most 2 bits"},
  {"OctetStringWrongKind", "variable X octet-string 2 = \"ab\"", ModelFileErrc::bad_value, 1, "\"ab\"", "expected an octet string"},
  {"OctetStringOddDigits", "variable X octet-string <=4 = 'abc'H", ModelFileErrc::bad_value, 1, "'abc'H", "even number of hex digits"},
  {"OctetStringWrongSize", "variable X octet-string 2 = '01'H", ModelFileErrc::bad_value, 1, "'01'H", "exactly 2 octets"},
  {"VisibleStringWrongKind", "variable X visible-string <=4 = abc", ModelFileErrc::bad_value, 1, "abc", "expected a quoted string"},
  {"VisibleStringNotPrintable", "variable X visible-string <=4 = \"\xc3\xa9\"", ModelFileErrc::bad_value, 1, "\"", "printable ASCII only"},
  {"VisibleStringWrongSize", "variable X visible-string 3 = \"ab\"", ModelFileErrc::bad_value, 1, "\"ab\"", "exactly 3 characters"},
  {"MmsStringWrongKind", "variable X mms-string <=2 = x", ModelFileErrc::bad_value, 1, "x", "expected a quoted string"},
  {"MmsStringTooLong", "variable X mms-string <=2 = \"\xc3\xa4\xc3\xb6\xc3\xbc\"", ModelFileErrc::bad_value, 1, "\"", "at most 2 characters; the string"},
  {"UtcWrongKind", "variable X utc-time = \"x\"", ModelFileErrc::bad_value, 1, "\"x\"", "expected a UTC time"},
  {"UtcBadShape", "variable X utc-time = 2024-01-01", ModelFileErrc::bad_value, 1, "2024", "expected YYYY-MM-DDTHH:MM:SS"},
  {"UtcBadSeparator", "variable X utc-time = 2024-01-01 00:00:00Z", ModelFileErrc::bad_value, 1, "2024", "expected YYYY-MM-DDTHH:MM:SS"},
  {"UtcFractionTooLong", "variable X utc-time = 2024-01-01T00:00:00.1234567890Z", ModelFileErrc::bad_value, 1, "2024", "1 to 9 fraction digits"},
  {"UtcFractionEmpty", "variable X utc-time = 2024-01-01T00:00:00.Z", ModelFileErrc::bad_value, 1, "2024", "1 to 9 fraction digits"},
  {"UtcFractionNotDigits", "variable X utc-time = 2024-01-01T00:00:00.1aZ", ModelFileErrc::bad_value, 1, "2024", "expected YYYY"},
  {"UtcYearBefore1970", "variable X utc-time = 1969-12-31T23:59:59Z", ModelFileErrc::bad_value, 1, "1969", "year out of range"},
  {"UtcMonth", "variable X utc-time = 2024-13-01T00:00:00Z", ModelFileErrc::bad_value, 1, "2024", "month out of range"},
  {"UtcDayNotInMonth", "variable X utc-time = 2023-02-29T00:00:00Z", ModelFileErrc::bad_value, 1, "2023", "day out of range"},
  {"UtcDayZero", "variable X utc-time = 2023-01-00T00:00:00Z", ModelFileErrc::bad_value, 1, "2023", "day out of range"},
  {"UtcTimeOfDay", "variable X utc-time = 2024-01-01T24:00:00Z", ModelFileErrc::bad_value, 1, "2024", "time of day out of range"},
  {"UtcBeyond2106", "variable X utc-time = 2106-02-07T06:28:16Z", ModelFileErrc::bad_value, 1, "2106", "beyond 2106-02-07T06:28:15Z"},
  {"UtcBracedMissingComma", "variable X utc-time = { 2024-01-01T00:00:00Z }", ModelFileErrc::syntax_error, 1, "}", "expected ',' and the time quality"},
  {"UtcBracedNotATime", "variable X utc-time = { \"x\", 1 }", ModelFileErrc::bad_value, 1, "\"x\"", "expected a UTC time"},
  {"UtcBadQuality", "variable X utc-time = { 2024-01-01T00:00:00Z, 256 }", ModelFileErrc::bad_value, 1, "256", "time quality octet (0..255)"},
  {"UtcNegativeQuality", "variable X utc-time = { 2024-01-01T00:00:00Z, -1 }", ModelFileErrc::bad_value, 1, "-1", "time quality octet"},
  {"UtcMissingBrace", "variable X utc-time = { 2024-01-01T00:00:00Z, 1 2 }", ModelFileErrc::syntax_error, 1, "2 }", "expected '}'"},
  {"ArrayValueNotBracket", "variable X array 2 of int8 = 1", ModelFileErrc::bad_value, 1, "1", "expected '[' starting the array"},
  {"ArrayValueTooFew", "variable X array 2 of int8 = [1]", ModelFileErrc::bad_value, 1, "[", "needs 2 elements, found 1"},
  {"ArrayValueEmpty", "variable X array 2 of int8 = []", ModelFileErrc::bad_value, 1, "[", "needs 2 elements, found 0"},
  {"ArrayValueTooMany", "variable X array 2 of int8 = [1, 2, 3]", ModelFileErrc::bad_value, 1, "3", "found more"},
  {"ArrayValueBadSeparator", "variable X array 2 of int8 = [1 2]", ModelFileErrc::syntax_error, 1, "2]", "expected ',' or ']'"},
  {"ArrayValueBadElement", "variable X array 2 of int8 = [1, 300]", ModelFileErrc::bad_value, 1, "300", "out of range for int8"},
  {"StructureValueNotBrace", "variable X { a int8 } = 1", ModelFileErrc::bad_value, 1, "1", "expected '{' starting the component values"},
  {"StructureValueTooFew", "variable X { a int8, b int8 } = { 1 }", ModelFileErrc::bad_value, 1, "{ 1", "needs 2 component values, found 1"},
  {"StructureValueEmpty", "variable X { a int8 } = {}", ModelFileErrc::bad_value, 1, "{}", "found 0"},
  {"StructureValueTooMany", "variable X { a int8 } = { 1, 2 }", ModelFileErrc::bad_value, 1, "2 }", "found more values"},
  {"StructureValueBadSeparator", "variable X { a int8, b int8 } = { 1 2 }", ModelFileErrc::syntax_error, 1, "2 }", "expected ',' or '}'"},

  // ---- limits
  {"TooManyObjects", many_domains(21), ModelFileErrc::limit_exceeded, 21, "D20", "max_objects", Setup::tight},
  {"ValueMemoryBudget", "variable X array 10000 of array 10000 of int8", ModelFileErrc::limit_exceeded, 1, "array", "max_value_bytes"},
  {"ValueMemoryBudgetFixedStrings", "variable X array 10000 of visible-string 65535", ModelFileErrc::limit_exceeded, 1, "array", "max_value_bytes"},
  {"ValueMemoryBudgetInnerNodes", kD + "ln D/X\n ST a.b.c int8\n ST d.e.f int8\nend", ModelFileErrc::limit_exceeded, 4, "d.e.f", "max_value_bytes", Setup::tight},
};
// clang-format on

TEST_P(ModelFileErrors, ReportsCodeLineColumnAndMessage) {
  const ErrorCase& c = GetParam();
  Vmd vmd(c.setup == Setup::tight ? tight_limits() : default_limits());
  ModelFileOptions options = c.setup == Setup::tight ? tight_options() : ModelFileOptions{};
  if (std::string_view(c.name) == "ValueMemoryBudgetInnerNodes") options.max_value_bytes = 6 * 64;
  auto r = load_model(c.text, vmd, options);
  ASSERT_FALSE(r.ok());
  const ModelFileError& e = r.error();
  EXPECT_EQ(e.error.code, make_error_code(c.code)) << e.describe();
  EXPECT_EQ(e.error.code.category().name(), std::string("mms"));
  EXPECT_EQ(e.line, c.line) << e.describe();
  EXPECT_NE(e.message.find(c.message), std::string::npos) << e.describe();
  if (c.line != 0 && !c.at.empty()) {
    const std::string_view line = line_of(c.text, c.line);
    const std::size_t index = line.find(c.at);
    ASSERT_NE(index, std::string_view::npos);
    std::size_t chars = 0;
    for (std::size_t i = 0; i < index; ++i)
      chars += (static_cast<unsigned char>(line[i]) & 0xC0U) != 0x80U ? 1 : 0;
    EXPECT_EQ(e.column, chars + 1) << e.describe();
    EXPECT_EQ(e.error.offset, static_cast<std::size_t>(line.data() - c.text.data()) + index) << e.describe();
  }
  if (c.line == 0) {
    EXPECT_EQ(e.column, 0U);
    EXPECT_EQ(e.describe(), e.message);
  } else {
    EXPECT_EQ(e.describe().rfind("line " + std::to_string(c.line) + ", column ", 0), 0U) << e.describe();
  }
  // Nothing of a refused file stays in the model.
  EXPECT_TRUE(names(vmd, ObjectClass::domain, "").empty());
  EXPECT_TRUE(names(vmd, ObjectClass::named_variable, "").empty());
}

std::string case_name(const ::testing::TestParamInfo<ErrorCase>& param) { return param.param.name; }
INSTANTIATE_TEST_SUITE_P(All, ModelFileErrors, ::testing::ValuesIn(kErrorCases), case_name);

}  // namespace

TEST(ModelFileErrorText, DescribeFormats) {
  ModelFileError e;
  e.error = Error(ModelFileErrc::unknown_type, 40);
  e.line = 12;
  e.column = 9;
  e.message = "unknown type 'flaot32'";
  EXPECT_EQ(e.describe(), "line 12, column 9: unknown type 'flaot32'");
  e.path = "bay.model";
  EXPECT_EQ(e.describe(), "bay.model:12:9: unknown type 'flaot32'");
  e.line = 0;
  e.column = 0;
  EXPECT_EQ(e.describe(), "bay.model: unknown type 'flaot32'");
}

TEST(ModelFileErrorText, CategoryNamesEveryCode) {
  EXPECT_STREQ(model_file_category().name(), "mms");
  for (int code = 1; code <= static_cast<int>(ModelFileErrc::rejected); ++code) {
    const std::string m = model_file_category().message(code);
    EXPECT_FALSE(m.empty());
    EXPECT_EQ(m.find("model file error"), std::string::npos) << code;
  }
  EXPECT_EQ(model_file_category().message(999), "model file error 999");
}

TEST(ModelFileErrorText, LongTokensAreCutInMessages) {
  Vmd vmd;
  auto r = load_model("variable X " + std::string(200, 'q'), vmd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error.code, make_error_code(ModelFileErrc::unknown_type));
  EXPECT_NE(r.error().message.find(std::string(48, 'q') + "...'"), std::string::npos);
  EXPECT_LT(r.error().message.size(), 400U);
}

// ---------------------------------------------------------------------------------------------
// load_model_file
// ---------------------------------------------------------------------------------------------

class ModelFileOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mmssec_model_file_test_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  fs::path dir_;
};

TEST_F(ModelFileOnDisk, LoadsAFile) {
  Vmd vmd;
  auto r = load_model_file(write("ok.model", "domain D\nvariable D/X int8 = 3\n"), vmd);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(read(vmd, dom("D", "X")), Data(std::int64_t{3}));
}

TEST_F(ModelFileOnDisk, ErrorsNameTheFile) {
  Vmd vmd;
  const std::string path = write("bad.model", "domain D\nvariable D/X flaot32\n");
  auto r = load_model_file(path, vmd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, path);
  EXPECT_EQ(r.error().describe().rfind(path + ":2:14: unknown type 'flaot32'", 0), 0U)
      << r.error().describe();
}

TEST_F(ModelFileOnDisk, MissingFile) {
  Vmd vmd;
  const std::string path = (dir_ / "absent.model").string();
  auto r = load_model_file(path, vmd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error.code, make_error_code(ModelFileErrc::file_unreadable));
  EXPECT_EQ(r.error().line, 0U);
  EXPECT_EQ(r.error().describe().rfind(path + ": cannot read the model file", 0), 0U) << r.error().describe();
}

TEST_F(ModelFileOnDisk, DirectoryIsNotAModelFile) {
  Vmd vmd;
  auto r = load_model_file(dir_.string(), vmd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error.code, make_error_code(ModelFileErrc::file_unreadable));
  EXPECT_NE(r.error().message.find("not a regular file"), std::string::npos);
}

TEST_F(ModelFileOnDisk, FileAboveSizeLimit) {
  Vmd vmd;
  ModelFileOptions options;
  options.max_file_size = 16;
  const std::string at_limit = write("at.model", "domain D\n#456789");  // 16 octets
  EXPECT_TRUE(load_model_file(at_limit, vmd, options).ok());
  auto r = load_model_file(write("big.model", "domain E\n#4567890"), vmd, options);  // 17 octets
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error.code, make_error_code(ModelFileErrc::limit_exceeded));
  EXPECT_NE(r.error().message.find("max_file_size"), std::string::npos);
}

}  // namespace mmssec::mms
