// SPDX-License-Identifier: Apache-2.0
// Readable names of ACSE enumerations (X.227 spelling), for logs, errors and `mmssec decode`.
#include <string>

#include "mmssec/acse/acse.hpp"

namespace mmssec::acse {

const char* result_name(AssociateResult r) noexcept {
  switch (r) {
    case AssociateResult::accepted: return "accepted";
    case AssociateResult::rejected_permanent: return "rejected-permanent";
    case AssociateResult::rejected_transient: return "rejected-transient";
  }
  return "unknown";
}

const char* diagnostic_name(UserDiagnostic d) noexcept {
  switch (d) {
    case UserDiagnostic::null: return "null";
    case UserDiagnostic::no_reason_given: return "no-reason-given";
    case UserDiagnostic::application_context_name_not_supported:
      return "application-context-name-not-supported";
    case UserDiagnostic::calling_ap_title_not_recognized: return "calling-AP-title-not-recognized";
    case UserDiagnostic::calling_ap_invocation_id_not_recognized:
      return "calling-AP-invocation-identifier-not-recognized";
    case UserDiagnostic::calling_ae_qualifier_not_recognized: return "calling-AE-qualifier-not-recognized";
    case UserDiagnostic::calling_ae_invocation_id_not_recognized:
      return "calling-AE-invocation-identifier-not-recognized";
    case UserDiagnostic::called_ap_title_not_recognized: return "called-AP-title-not-recognized";
    case UserDiagnostic::called_ap_invocation_id_not_recognized:
      return "called-AP-invocation-identifier-not-recognized";
    case UserDiagnostic::called_ae_qualifier_not_recognized: return "called-AE-qualifier-not-recognized";
    case UserDiagnostic::called_ae_invocation_id_not_recognized:
      return "called-AE-invocation-identifier-not-recognized";
    case UserDiagnostic::authentication_mechanism_name_not_recognized:
      return "authentication-mechanism-name-not-recognized";
    case UserDiagnostic::authentication_mechanism_name_required:
      return "authentication-mechanism-name-required";
    case UserDiagnostic::authentication_failure: return "authentication-failure";
    case UserDiagnostic::authentication_required: return "authentication-required";
  }
  return "unknown";
}

const char* diagnostic_name(ProviderDiagnostic d) noexcept {
  switch (d) {
    case ProviderDiagnostic::null: return "null";
    case ProviderDiagnostic::no_reason_given: return "no-reason-given";
    case ProviderDiagnostic::no_common_acse_version: return "no-common-acse-version";
  }
  return "unknown";
}

std::string describe(const SourceDiagnostic& d) {
  if (const auto* u = std::get_if<UserDiagnostic>(&d))
    return std::string("acse-service-user: ") + diagnostic_name(*u);
  return std::string("acse-service-provider: ") + diagnostic_name(std::get<ProviderDiagnostic>(d));
}

const char* abort_source_name(AbortSource s) noexcept {
  switch (s) {
    case AbortSource::service_user: return "acse-service-user";
    case AbortSource::service_provider: return "acse-service-provider";
  }
  return "unknown";
}

const char* abort_diagnostic_name(AbortDiagnostic d) noexcept {
  switch (d) {
    case AbortDiagnostic::no_reason_given: return "no-reason-given";
    case AbortDiagnostic::protocol_error: return "protocol-error";
    case AbortDiagnostic::authentication_mechanism_name_not_recognized:
      return "authentication-mechanism-name-not-recognized";
    case AbortDiagnostic::authentication_mechanism_name_required:
      return "authentication-mechanism-name-required";
    case AbortDiagnostic::authentication_failure: return "authentication-failure";
    case AbortDiagnostic::authentication_required: return "authentication-required";
  }
  return "unknown";
}

}  // namespace mmssec::acse
