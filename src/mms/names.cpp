// SPDX-License-Identifier: Apache-2.0
// Names of MMS PDUs, services, error classes and codes, as the ASN.1 of ISO 9506-2 spells the
// identifiers, for `mmssec decode` and error messages ("access: object-non-existent").
#include <array>
#include <string>
#include <string_view>

#include "mmssec/mms/pdu.hpp"

namespace mmssec::mms {
namespace {

constexpr std::string_view kUnknown = "unknown";

template <std::size_t N>
std::string_view lookup(const std::array<std::string_view, N>& table, std::int64_t i) noexcept {
  if (i < 0 || static_cast<std::uint64_t>(i) >= N || table[static_cast<std::size_t>(i)].empty())
    return kUnknown;
  return table[static_cast<std::size_t>(i)];
}

constexpr std::array<std::string_view, 14> kPduNames = {"confirmed-RequestPDU",
                                                        "confirmed-ResponsePDU",
                                                        "confirmed-ErrorPDU",
                                                        "unconfirmed-PDU",
                                                        "rejectPDU",
                                                        "cancel-RequestPDU",
                                                        "cancel-ResponsePDU",
                                                        "cancel-ErrorPDU",
                                                        "initiate-RequestPDU",
                                                        "initiate-ResponsePDU",
                                                        "initiate-ErrorPDU",
                                                        "conclude-RequestPDU",
                                                        "conclude-ResponsePDU",
                                                        "conclude-ErrorPDU"};

// ConfirmedServiceRequest alternatives 0..77 (ISO 9506-2).
constexpr std::array<std::string_view, 78> kConfirmedServices = {"status",
                                                                 "getNameList",
                                                                 "identify",
                                                                 "rename",
                                                                 "read",
                                                                 "write",
                                                                 "getVariableAccessAttributes",
                                                                 "defineNamedVariable",
                                                                 "defineScatteredAccess",
                                                                 "getScatteredAccessAttributes",
                                                                 "deleteVariableAccess",
                                                                 "defineNamedVariableList",
                                                                 "getNamedVariableListAttributes",
                                                                 "deleteNamedVariableList",
                                                                 "defineNamedType",
                                                                 "getNamedTypeAttributes",
                                                                 "deleteNamedType",
                                                                 "input",
                                                                 "output",
                                                                 "takeControl",
                                                                 "relinquishControl",
                                                                 "defineSemaphore",
                                                                 "deleteSemaphore",
                                                                 "reportSemaphoreStatus",
                                                                 "reportPoolSemaphoreStatus",
                                                                 "reportSemaphoreEntryStatus",
                                                                 "initiateDownloadSequence",
                                                                 "downloadSegment",
                                                                 "terminateDownloadSequence",
                                                                 "initiateUploadSequence",
                                                                 "uploadSegment",
                                                                 "terminateUploadSequence",
                                                                 "requestDomainDownload",
                                                                 "requestDomainUpload",
                                                                 "loadDomainContent",
                                                                 "storeDomainContent",
                                                                 "deleteDomain",
                                                                 "getDomainAttributes",
                                                                 "createProgramInvocation",
                                                                 "deleteProgramInvocation",
                                                                 "start",
                                                                 "stop",
                                                                 "resume",
                                                                 "reset",
                                                                 "kill",
                                                                 "getProgramInvocationAttributes",
                                                                 "obtainFile",
                                                                 "defineEventCondition",
                                                                 "deleteEventCondition",
                                                                 "getEventConditionAttributes",
                                                                 "reportEventConditionStatus",
                                                                 "alterEventConditionMonitoring",
                                                                 "triggerEvent",
                                                                 "defineEventAction",
                                                                 "deleteEventAction",
                                                                 "getEventActionAttributes",
                                                                 "reportEventActionStatus",
                                                                 "defineEventEnrollment",
                                                                 "deleteEventEnrollment",
                                                                 "alterEventEnrollment",
                                                                 "reportEventEnrollmentStatus",
                                                                 "getEventEnrollmentAttributes",
                                                                 "acknowledgeEventNotification",
                                                                 "getAlarmSummary",
                                                                 "getAlarmEnrollmentSummary",
                                                                 "readJournal",
                                                                 "writeJournal",
                                                                 "initializeJournal",
                                                                 "reportJournalStatus",
                                                                 "createJournal",
                                                                 "deleteJournal",
                                                                 "getCapabilityList",
                                                                 "fileOpen",
                                                                 "fileRead",
                                                                 "fileClose",
                                                                 "fileRename",
                                                                 "fileDelete",
                                                                 "fileDirectory"};

// ServiceSupportOptions bits 78..91 (0..77 share the confirmed service names).
constexpr std::array<std::string_view, 14> kServiceBitsTail = {"unsolicitedStatus",
                                                               "informationReport",
                                                               "eventNotification",
                                                               "attachToEventCondition",
                                                               "attachToSemaphore",
                                                               "conclude",
                                                               "cancel",
                                                               "getDataExchangeAttributes",
                                                               "exchangeData",
                                                               "defineAccessControlList",
                                                               "getAccessControlListAttributes",
                                                               "reportAccessControlledObjects",
                                                               "deleteAccessControlList",
                                                               "changeAccessControl"};

constexpr std::array<std::string_view, 11> kParameterBits = {"str1", "str2", "vnam", "valt", "vadr", "vsca",
                                                             "tpy",  "vlis", "real", "",     "cei"};

constexpr std::array<std::string_view, 14> kObjectClasses = {
    "namedVariable",     "scatteredAccess", "namedVariableList", "namedType",        "semaphore",
    "eventCondition",    "eventAction",     "eventEnrollment",   "journal",          "domain",
    "programInvocation", "operatorStation", "dataExchange",      "accessControlList"};

constexpr std::array<std::string_view, 13> kErrorClasses = {"vmd-state",       "application-reference",
                                                            "definition",      "resource",
                                                            "service",         "service-preempt",
                                                            "time-resolution", "access",
                                                            "initiate",        "conclude",
                                                            "cancel",          "file",
                                                            "others"};

constexpr std::array<std::string_view, 5> kVmdStateCodes = {
    "other", "vmd-state-conflict", "vmd-operational-problem", "domain-transfer-problem",
    "state-machine-id-invalid"};
constexpr std::array<std::string_view, 5> kAppRefCodes = {"other", "application-unreachable",
                                                          "connection-lost", "application-reference-invalid",
                                                          "context-unsupported"};
constexpr std::array<std::string_view, 7> kDefinitionCodes = {"other",
                                                              "object-undefined",
                                                              "invalid-address",
                                                              "type-unsupported",
                                                              "type-inconsistent",
                                                              "object-exists",
                                                              "object-attribute-inconsistent"};
constexpr std::array<std::string_view, 6> kResourceCodes = {"other",
                                                            "memory-unavailable",
                                                            "processor-resource-unavailable",
                                                            "mass-storage-unavailable",
                                                            "capability-unavailable",
                                                            "capability-unknown"};
constexpr std::array<std::string_view, 6> kServiceCodes = {
    "other",    "primitives-out-of-sequence", "object-state-conflict",
    "pdu-size", "continuation-invalid",       "object-constraint-conflict"};
constexpr std::array<std::string_view, 4> kPreemptCodes = {"other", "timeout", "deadlock", "cancel"};
constexpr std::array<std::string_view, 2> kTimeResolutionCodes = {"other", "unsupportable-time-resolution"};
constexpr std::array<std::string_view, 5> kAccessCodes = {"other", "object-access-unsupported",
                                                          "object-non-existent", "object-access-denied",
                                                          "object-invalidated"};
constexpr std::array<std::string_view, 8> kInitiateCodes = {"other",
                                                            "version-incompatible",
                                                            "max-segment-insufficient",
                                                            "max-services-outstanding-calling-insufficient",
                                                            "max-services-outstanding-called-insufficient",
                                                            "service-CBB-insufficient",
                                                            "parameter-CBB-insufficient",
                                                            "nesting-level-insufficient"};
constexpr std::array<std::string_view, 2> kConcludeCodes = {"other", "further-communication-required"};
constexpr std::array<std::string_view, 3> kCancelCodes = {"other", "invoke-id-unknown",
                                                          "cancel-not-possible"};
constexpr std::array<std::string_view, 10> kFileCodes = {"other",
                                                         "filename-ambiguous",
                                                         "file-busy",
                                                         "filename-syntax-error",
                                                         "content-type-invalid",
                                                         "position-invalid",
                                                         "file-access-denied",
                                                         "file-non-existent",
                                                         "duplicate-filename",
                                                         "insufficient-space-in-filestore"};

constexpr std::array<std::string_view, 12> kDataAccessErrors = {
    "object-invalidated",        "hardware-fault",      "temporarily-unavailable",
    "object-access-denied",      "object-undefined",    "invalid-address",
    "type-unsupported",          "type-inconsistent",   "object-attribute-inconsistent",
    "object-access-unsupported", "object-non-existent", "object-value-invalid"};

constexpr std::array<std::string_view, 12> kRejectClasses = {"",
                                                             "confirmed-requestPDU",
                                                             "confirmed-responsePDU",
                                                             "confirmed-errorPDU",
                                                             "unconfirmedPDU",
                                                             "pdu-error",
                                                             "cancel-requestPDU",
                                                             "cancel-responsePDU",
                                                             "cancel-errorPDU",
                                                             "conclude-requestPDU",
                                                             "conclude-responsePDU",
                                                             "conclude-errorPDU"};

constexpr std::array<std::string_view, 10> kRejectRequest = {"other",
                                                             "unrecognized-service",
                                                             "unrecognized-modifier",
                                                             "invalid-invokeID",
                                                             "invalid-argument",
                                                             "invalid-modifier",
                                                             "max-serv-outstanding-exceeded",
                                                             "",
                                                             "max-recursion-exceeded",
                                                             "value-out-of-range"};
constexpr std::array<std::string_view, 7> kRejectResponse = {
    "other", "unrecognized-service",   "invalid-invokeID",  "invalid-result",
    "",      "max-recursion-exceeded", "value-out-of-range"};
constexpr std::array<std::string_view, 5> kRejectError = {"other", "unrecognized-service", "invalid-invokeID",
                                                          "invalid-serviceError", "value-out-of-range"};
constexpr std::array<std::string_view, 5> kRejectUnconfirmed = {
    "other", "unrecognized-service", "invalid-argument", "max-recursion-exceeded", "value-out-of-range"};
constexpr std::array<std::string_view, 3> kRejectPdu = {"unknown-pdu-type", "invalid-pdu",
                                                        "illegal-acse-mapping"};
constexpr std::array<std::string_view, 2> kRejectCancelReqResp = {"other", "invalid-invokeID"};
constexpr std::array<std::string_view, 4> kRejectCancelError = {"other", "invalid-invokeID",
                                                                "invalid-serviceError", "value-out-of-range"};
constexpr std::array<std::string_view, 2> kRejectConcludeRequest = {"other", "invalid-argument"};
constexpr std::array<std::string_view, 2> kRejectConcludeResponse = {"other", "invalid-result"};
constexpr std::array<std::string_view, 3> kRejectConcludeError = {"other", "invalid-serviceError",
                                                                  "value-out-of-range"};

}  // namespace

std::string_view pdu_name(PduKind kind) noexcept {
  return lookup(kPduNames, static_cast<std::int64_t>(kind));
}

std::string_view confirmed_service_name(std::uint32_t tag) noexcept {
  return lookup(kConfirmedServices, tag);
}

std::string_view unconfirmed_service_name(std::uint32_t tag) noexcept {
  switch (tag) {
    case service::kInformationReport: return "informationReport";
    case service::kUnsolicitedStatus: return "unsolicitedStatus";
    case service::kEventNotification: return "eventNotification";
    default: return kUnknown;
  }
}

std::string_view service_support_name(std::size_t bit) noexcept {
  if (bit < kConfirmedServices.size()) return kConfirmedServices[bit];
  return lookup(kServiceBitsTail, static_cast<std::int64_t>(bit - kConfirmedServices.size()));
}

std::string_view parameter_support_name(std::size_t bit) noexcept {
  return bit < kParameterBits.size() ? lookup(kParameterBits, static_cast<std::int64_t>(bit)) : kUnknown;
}

std::string_view object_class_name(std::uint32_t cls) noexcept { return lookup(kObjectClasses, cls); }

std::string_view error_class_name(ErrorClass cls) noexcept {
  return lookup(kErrorClasses, static_cast<std::int64_t>(cls));
}

std::string_view error_code_name(ErrorClass cls, std::int64_t code) noexcept {
  switch (cls) {
    case ErrorClass::vmd_state: return lookup(kVmdStateCodes, code);
    case ErrorClass::application_reference: return lookup(kAppRefCodes, code);
    case ErrorClass::definition: return lookup(kDefinitionCodes, code);
    case ErrorClass::resource: return lookup(kResourceCodes, code);
    case ErrorClass::service: return lookup(kServiceCodes, code);
    case ErrorClass::service_preempt: return lookup(kPreemptCodes, code);
    case ErrorClass::time_resolution: return lookup(kTimeResolutionCodes, code);
    case ErrorClass::access: return lookup(kAccessCodes, code);
    case ErrorClass::initiate: return lookup(kInitiateCodes, code);
    case ErrorClass::conclude: return lookup(kConcludeCodes, code);
    case ErrorClass::cancel: return lookup(kCancelCodes, code);
    case ErrorClass::file: return lookup(kFileCodes, code);
    case ErrorClass::others: break;
  }
  return kUnknown;
}

std::string describe(const ServiceError& e) {
  std::string s(error_class_name(e.error_class));
  s += ": ";
  const std::string_view name = error_code_name(e.error_class, e.code);
  if (name == kUnknown) {
    s += std::to_string(e.code);
  } else {
    s += name;
  }
  if (e.additional_description) {
    s += " (";
    s += *e.additional_description;
    s += ')';
  }
  return s;
}

std::string_view data_access_error_name(DataAccessError e) noexcept {
  return lookup(kDataAccessErrors, static_cast<std::int64_t>(e));
}

std::string_view reject_class_name(RejectClass cls) noexcept {
  return lookup(kRejectClasses, static_cast<std::int64_t>(cls));
}

std::string_view reject_code_name(RejectClass cls, std::int64_t code) noexcept {
  switch (cls) {
    case RejectClass::confirmed_request: return lookup(kRejectRequest, code);
    case RejectClass::confirmed_response: return lookup(kRejectResponse, code);
    case RejectClass::confirmed_error: return lookup(kRejectError, code);
    case RejectClass::unconfirmed: return lookup(kRejectUnconfirmed, code);
    case RejectClass::pdu_error: return lookup(kRejectPdu, code);
    case RejectClass::cancel_request:
    case RejectClass::cancel_response: return lookup(kRejectCancelReqResp, code);
    case RejectClass::cancel_error: return lookup(kRejectCancelError, code);
    case RejectClass::conclude_request: return lookup(kRejectConcludeRequest, code);
    case RejectClass::conclude_response: return lookup(kRejectConcludeResponse, code);
    case RejectClass::conclude_error: return lookup(kRejectConcludeError, code);
  }
  return kUnknown;
}

std::string describe(const RejectPdu& r) {
  std::string s(reject_class_name(r.reject_class));
  s += ": ";
  const std::string_view name = reject_code_name(r.reject_class, r.code);
  if (name == kUnknown) {
    s += std::to_string(r.code);
  } else {
    s += name;
  }
  if (r.original_invoke_id) {
    s += " (invokeID ";
    s += std::to_string(*r.original_invoke_id);
    s += ')';
  }
  return s;
}

}  // namespace mmssec::mms
