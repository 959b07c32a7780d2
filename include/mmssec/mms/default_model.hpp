// SPDX-License-Identifier: Apache-2.0
// The small IEC 61850 IED that `mmssec server` serves when started without a model: one logical
// device mapped onto the MMS domain "LD0" (IEC 61850-8-1: a logical device is a domain, a
// logical node a named variable whose components are the functional constraints).
//
//   LD0/LLN0   ST Mod, Beh, Health {stVal INT8, q Quality, t TimeStamp}; CF Mod {ctlModel INT8};
//              DC NamPlt {vendor, swRev, d, configRev, ldNs: VisString255};
//              RP urcb01 {RptID VisString129, RptEna BOOLEAN, DatSet VisString129} (a simplified
//              unbuffered report control block for DataSet1, see default_report_controls())
//   LD0/LPHD1  ST PhyHealth {stVal, q, t}; DC PhyNam {vendor}
//   LD0/MMXU1  MX TotW, TotVAr, Hz {mag {f FLOAT32}, q, t} (MV);
//              MX PhV {phsA, phsB, phsC: {cVal {mag {f}}, q, t} (CMV)};
//              CF TotW, TotVAr, Hz {db INT32U}
//   LD0/GGIO1  ST Ind1..Ind4 {stVal BOOLEAN, q, t};
//              CO SPCSO1, SPCSO2 {Oper {ctlVal BOOLEAN, origin {orCat INT8, orIdent Octet64},
//                                       ctlNum INT8U, T TimeStamp, Test BOOLEAN, Check bit-string(2)}}
//   LD0/XCBR1  ST Pos {stVal Dbpos = bit-string(2), q, t}; CO Pos {Oper {ctlVal BOOLEAN, ...}};
//              CF Pos {ctlModel INT8}
//   LD0/LLN0$DataSet1 (named variable list, not deletable): GGIO1$ST$Ind1, GGIO1$ST$Ind2,
//              XCBR1$ST$Pos, LLN0$ST$Health
//
// MMS types as IEC 61850-8-1 maps them: Quality = bit-string(13), TimeStamp = utc-time,
// Dbpos = bit-string(2) (intermediate 00, off 01, on 10, bad 11), ENUMERATED = integer(8),
// VisString255 = visible-string(-255). Everything is read-only for clients except the CO and
// CF functional constraints and the RptID and RptEna of the report control block.
#pragma once

#include <string_view>
#include <vector>

#include "mmssec/core/result.hpp"
#include "mmssec/mms/model.hpp"
#include "mmssec/mms/server.hpp"

namespace mmssec::mms {

/// The domain (logical device) of the default model.
inline constexpr std::string_view kDefaultDomain = "LD0";
/// The data set (named variable list) of the default model, in domain kDefaultDomain.
inline constexpr std::string_view kDefaultDataSet = "LLN0$DataSet1";

/// The report control block of the default model, in domain kDefaultDomain.
inline constexpr std::string_view kDefaultReportControl = "LLN0$RP$urcb01";

/// The report control of the default model for ServerOptions::report_controls: writing TRUE to
/// LD0/LLN0$RP$urcb01$RptEna enables InformationReports of LD0/LLN0$DataSet1 for the writing
/// association, FALSE disables them.
[[nodiscard]] std::vector<ReportControl> default_report_controls();

/// Define the default IED in `vmd` (which must not yet hold a domain "LD0").
Status make_default_ied_model(Vmd& vmd);

/// Set the MMXU1 measurements (TotW, TotVAr, Hz, PhV phsA/B/C) and their timestamps from `t`
/// (seconds since the Unix epoch, t >= 0), deterministically:
///   TotW   = 1000 + 250 sin(2 pi t / 60) W        TotVAr = 200 + 50 cos(2 pi t / 60) var
///   Hz     = 50 + 0.05 sin(2 pi t / 10)           PhV phsX = 230 + 2 sin(2 pi t / 30 + k 2 pi / 3)
/// with quality good. Fires the model's change hook (a local update).
Status update_measurements(Vmd& vmd, double t);

/// The TimeStamp (utc-time) of `t` seconds since the Unix epoch: whole seconds, 24-bit
/// fraction, time quality 0x0a (clock not synchronised flags clear, 10 bits of accuracy).
[[nodiscard]] UtcTime utc_time_of(double t);

}  // namespace mmssec::mms
