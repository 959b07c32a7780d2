// SPDX-License-Identifier: Apache-2.0
// The default IED model (see default_model.hpp for its layout) and its measurement ticker.
#include "mmssec/mms/default_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>

namespace mmssec::mms {
namespace {

inline constexpr std::uint8_t kTimeQuality = 0x0a;  // TimeAccuracy = 10 bits, no flags

TypeSpecificationPtr enum8() { return types::integer(8); }
TypeSpecificationPtr vis255() { return types::visible_string(-255); }

/// Status value of an enumerated DO (ENS / INS): stVal, q, t.
TypeSpecificationPtr ens() {
  return types::structure({{"stVal", enum8()}, {"q", types::quality()}, {"t", types::timestamp()}});
}
/// Single point status (SPS).
TypeSpecificationPtr sps() {
  return types::structure({{"stVal", types::boolean()}, {"q", types::quality()}, {"t", types::timestamp()}});
}
/// Double point status (DPS): stVal is Dbpos, bit-string(2).
TypeSpecificationPtr dps() {
  return types::structure(
      {{"stVal", types::bit_string(2)}, {"q", types::quality()}, {"t", types::timestamp()}});
}
/// AnalogueValue with only the float member: { f FLOAT32 }.
TypeSpecificationPtr analogue() { return types::structure({{"f", types::float32()}}); }
/// Measured value (MV), MX part: mag, q, t.
TypeSpecificationPtr mv() {
  return types::structure({{"mag", analogue()}, {"q", types::quality()}, {"t", types::timestamp()}});
}
/// Complex measured value (CMV), MX part: cVal { mag }, q, t.
TypeSpecificationPtr cmv() {
  return types::structure({{"cVal", types::structure({{"mag", analogue()}})},
                           {"q", types::quality()},
                           {"t", types::timestamp()}});
}
/// The Oper structure of a controllable DO with a BOOLEAN (SPC) control value.
TypeSpecificationPtr oper_bool() {
  auto origin = types::structure({{"orCat", enum8()}, {"orIdent", types::octet_string(-64)}});
  return types::structure({{"Oper", types::structure({{"ctlVal", types::boolean()},
                                                      {"origin", origin},
                                                      {"ctlNum", types::unsigned_integer(8)},
                                                      {"T", types::timestamp()},
                                                      {"Test", types::boolean()},
                                                      {"Check", types::bit_string(2)}})}});
}
TypeSpecificationPtr ctl_model() { return types::structure({{"ctlModel", enum8()}}); }
TypeSpecificationPtr deadband() { return types::structure({{"db", types::unsigned_integer(32)}}); }
/// The simplified unbuffered report control block: RptID, RptEna, DatSet (VisString129 for the
/// object references, as IEC 61850-8-1 maps ObjectReference).
TypeSpecificationPtr urcb() {
  return types::structure({{"RptID", types::visible_string(-129)},
                           {"RptEna", types::boolean()},
                           {"DatSet", types::visible_string(-129)}});
}

ObjectName ld(std::string item) {
  return ObjectName::domain_specific(std::string(kDefaultDomain), std::move(item));
}

Status set(Vmd& vmd, std::string item, Data value) {
  if (auto err = vmd.update(ld(std::move(item)), value)) return ModelErrc::type_inconsistent;
  return {};
}

Status define_ln(Vmd& vmd, std::string_view name, TypeSpecificationPtr type, bool has_co, bool has_cf) {
  MMSSEC_TRY(vmd.define_variable(kDefaultDomain, name, std::move(type)));
  if (has_co) MMSSEC_TRY(vmd.set_access(ld(std::string(name) + "$CO"), Access::read_write));
  if (has_cf) MMSSEC_TRY(vmd.set_access(ld(std::string(name) + "$CF"), Access::read_write));
  return {};
}

}  // namespace

UtcTime utc_time_of(double t) {
  const double clamped = std::max(t, 0.0);
  const double whole = std::floor(clamped);
  UtcTime u;
  u.seconds = static_cast<std::uint32_t>(std::min(whole, 4294967295.0));
  const double frac = clamped - whole;
  u.fraction = static_cast<std::uint32_t>(std::min(frac * 16777216.0, 16777215.0));
  u.quality = kTimeQuality;
  return u;
}

Status make_default_ied_model(Vmd& vmd) {
  MMSSEC_TRY(vmd.define_domain(kDefaultDomain));

  const auto lln0 = LogicalNodeBuilder()
                        .add("ST", "Mod", ens())
                        .add("ST", "Beh", ens())
                        .add("ST", "Health", ens())
                        .add("CF", "Mod", ctl_model())
                        .add("DC", "NamPlt",
                             types::structure({{"vendor", vis255()},
                                               {"swRev", vis255()},
                                               {"d", vis255()},
                                               {"configRev", vis255()},
                                               {"ldNs", vis255()}}))
                        .add("RP", "urcb01", urcb())
                        .build();
  MMSSEC_TRY(define_ln(vmd, "LLN0", lln0, false, true));
  const std::string rcb(kDefaultReportControl);
  MMSSEC_TRY(vmd.set_access(ld(rcb + "$RptID"), Access::read_write));
  MMSSEC_TRY(vmd.set_access(ld(rcb + "$RptEna"), Access::read_write));

  const auto lphd = LogicalNodeBuilder()
                        .add("ST", "PhyHealth", ens())
                        .add("DC", "PhyNam", types::structure({{"vendor", vis255()}}))
                        .build();
  MMSSEC_TRY(define_ln(vmd, "LPHD1", lphd, false, false));

  const auto mmxu =
      LogicalNodeBuilder()
          .add("MX", "TotW", mv())
          .add("MX", "TotVAr", mv())
          .add("MX", "Hz", mv())
          .add("MX", "PhV", types::structure({{"phsA", cmv()}, {"phsB", cmv()}, {"phsC", cmv()}}))
          .add("CF", "TotW", deadband())
          .add("CF", "TotVAr", deadband())
          .add("CF", "Hz", deadband())
          .build();
  MMSSEC_TRY(define_ln(vmd, "MMXU1", mmxu, false, true));

  const auto ggio = LogicalNodeBuilder()
                        .add("ST", "Ind1", sps())
                        .add("ST", "Ind2", sps())
                        .add("ST", "Ind3", sps())
                        .add("ST", "Ind4", sps())
                        .add("CO", "SPCSO1", oper_bool())
                        .add("CO", "SPCSO2", oper_bool())
                        .build();
  MMSSEC_TRY(define_ln(vmd, "GGIO1", ggio, true, false));

  const auto xcbr = LogicalNodeBuilder()
                        .add("ST", "Pos", dps())
                        .add("CO", "Pos", oper_bool())
                        .add("CF", "Pos", ctl_model())
                        .build();
  MMSSEC_TRY(define_ln(vmd, "XCBR1", xcbr, true, true));

  // Initial values: mode and behaviour "on" (1), health "Ok" (1), direct control with normal
  // security (ctlModel 1), breaker open (Dbpos off = 01), name plate.
  for (const char* item : {"LLN0$ST$Mod$stVal", "LLN0$ST$Beh$stVal", "LLN0$ST$Health$stVal",
                           "LPHD1$ST$PhyHealth$stVal", "LLN0$CF$Mod$ctlModel", "XCBR1$CF$Pos$ctlModel"}) {
    MMSSEC_TRY(set(vmd, item, std::int64_t{1}));
  }
  MMSSEC_TRY(set(vmd, "XCBR1$ST$Pos$stVal", make_bit_string({1}, 2)));
  MMSSEC_TRY(set(vmd, "LLN0$DC$NamPlt$vendor", VisibleStringValue{"mmssec"}));
  MMSSEC_TRY(set(vmd, "LLN0$DC$NamPlt$swRev", VisibleStringValue{"0.1"}));
  MMSSEC_TRY(set(vmd, "LLN0$DC$NamPlt$d", VisibleStringValue{"mmssec default IED"}));
  MMSSEC_TRY(set(vmd, "LLN0$DC$NamPlt$configRev", VisibleStringValue{"1"}));
  MMSSEC_TRY(set(vmd, "LLN0$DC$NamPlt$ldNs", VisibleStringValue{"IEC 61850-7-4:2007B"}));
  MMSSEC_TRY(set(vmd, "LPHD1$DC$PhyNam$vendor", VisibleStringValue{"mmssec"}));
  MMSSEC_TRY(set(vmd, rcb + "$RptID", VisibleStringValue{"LD0/LLN0$RP$urcb01"}));
  MMSSEC_TRY(set(vmd, rcb + "$DatSet", VisibleStringValue{"LD0/LLN0$DataSet1"}));
  for (const char* db : {"MMXU1$CF$TotW$db", "MMXU1$CF$TotVAr$db", "MMXU1$CF$Hz$db"}) {
    MMSSEC_TRY(set(vmd, db, Unsigned{1000}));
  }
  MMSSEC_TRY(update_measurements(vmd, 0.0));

  MMSSEC_TRY(vmd.define_named_variable_list(
      ld(std::string(kDefaultDataSet)),
      {ld("GGIO1$ST$Ind1"), ld("GGIO1$ST$Ind2"), ld("XCBR1$ST$Pos"), ld("LLN0$ST$Health")}, false));
  return {};
}

std::vector<ReportControl> default_report_controls() {
  const std::string rcb(kDefaultReportControl);
  return {ReportControl{ld(rcb + "$RptEna"), ld(std::string(kDefaultDataSet))}};
}

Status update_measurements(Vmd& vmd, double t) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  const UtcTime stamp = utc_time_of(t);
  auto mv_update = [&](const std::string& prefix, double value) -> Status {
    MMSSEC_TRY(set(vmd, prefix + "$mag$f", FloatingPoint{static_cast<float>(value), false}));
    MMSSEC_TRY(set(vmd, prefix + "$t", stamp));
    return {};
  };
  MMSSEC_TRY(mv_update("MMXU1$MX$TotW", 1000.0 + 250.0 * std::sin(kTwoPi * t / 60.0)));
  MMSSEC_TRY(mv_update("MMXU1$MX$TotVAr", 200.0 + 50.0 * std::cos(kTwoPi * t / 60.0)));
  MMSSEC_TRY(mv_update("MMXU1$MX$Hz", 50.0 + 0.05 * std::sin(kTwoPi * t / 10.0)));
  const std::array<const char*, 3> phases = {"phsA", "phsB", "phsC"};
  for (std::size_t k = 0; k < phases.size(); ++k) {
    const double value = 230.0 + 2.0 * std::sin(kTwoPi * t / 30.0 + static_cast<double>(k) * kTwoPi / 3.0);
    const std::string prefix = std::string("MMXU1$MX$PhV$") + phases[k];
    MMSSEC_TRY(set(vmd, prefix + "$cVal$mag$f", FloatingPoint{static_cast<float>(value), false}));
    MMSSEC_TRY(set(vmd, prefix + "$t", stamp));
  }
  return {};
}

}  // namespace mmssec::mms
