// SPDX-License-Identifier: Apache-2.0
// MMS PDUs and the confirmed/unconfirmed services IEC 61850-8-1 uses (ISO 9506-2 clauses 7-12,
// 14, 19), codec level: one struct per PDU or service, std::variant for CHOICEs, encode and
// decode side by side in src/mms/pdu.cpp. Decoded values own their data (no views into the
// input buffer).
//
// A decode failure is reported as an Error (mms/ber/core category, absolute offset) and, through
// PduError, with the context a server needs to answer with the right RejectPDU (reject_for()).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mmssec/ber/ber.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/mms/data.hpp"

namespace mmssec::mms {

using InvokeId = std::uint32_t;

// ---------------------------------------------------------------------------------------------
// Tag numbers (all context-specific)
// ---------------------------------------------------------------------------------------------

/// MMSpdu alternatives; the numbering is the context tag (and the index in Pdu::Body).
enum class PduKind : std::uint8_t {
  confirmed_request = 0,
  confirmed_response = 1,
  confirmed_error = 2,
  unconfirmed = 3,
  reject = 4,
  cancel_request = 5,
  cancel_response = 6,
  cancel_error = 7,
  initiate_request = 8,
  initiate_response = 9,
  initiate_error = 10,
  conclude_request = 11,
  conclude_response = 12,
  conclude_error = 13,
};

/// ConfirmedServiceRequest / ConfirmedServiceResponse alternatives implemented here (the tag
/// numbers of ISO 9506-2; the other services have names, see confirmed_service_name()).
namespace service {
inline constexpr std::uint32_t kStatus = 0;
inline constexpr std::uint32_t kGetNameList = 1;
inline constexpr std::uint32_t kIdentify = 2;
inline constexpr std::uint32_t kRename = 3;
inline constexpr std::uint32_t kRead = 4;
inline constexpr std::uint32_t kWrite = 5;
inline constexpr std::uint32_t kGetVariableAccessAttributes = 6;
inline constexpr std::uint32_t kDefineNamedVariableList = 11;
inline constexpr std::uint32_t kGetNamedVariableListAttributes = 12;
inline constexpr std::uint32_t kDeleteNamedVariableList = 13;
/// UnconfirmedService alternatives.
inline constexpr std::uint32_t kInformationReport = 0;
inline constexpr std::uint32_t kUnsolicitedStatus = 1;
inline constexpr std::uint32_t kEventNotification = 2;
}  // namespace service

/// ServiceSupportOptions (ISO 9506-2 Initiate): bit numbers of the services-supported BIT STRING.
/// The string has 85 bits in the form IEC 61850-8-1 peers send (11 octets, 3 unused bits).
namespace service_bit {
inline constexpr std::size_t kStatus = 0;
inline constexpr std::size_t kGetNameList = 1;
inline constexpr std::size_t kIdentify = 2;
inline constexpr std::size_t kRename = 3;
inline constexpr std::size_t kRead = 4;
inline constexpr std::size_t kWrite = 5;
inline constexpr std::size_t kGetVariableAccessAttributes = 6;
inline constexpr std::size_t kDefineNamedVariable = 7;
inline constexpr std::size_t kDefineScatteredAccess = 8;
inline constexpr std::size_t kGetScatteredAccessAttributes = 9;
inline constexpr std::size_t kDeleteVariableAccess = 10;
inline constexpr std::size_t kDefineNamedVariableList = 11;
inline constexpr std::size_t kGetNamedVariableListAttributes = 12;
inline constexpr std::size_t kDeleteNamedVariableList = 13;
inline constexpr std::size_t kDefineNamedType = 14;
inline constexpr std::size_t kGetNamedTypeAttributes = 15;
inline constexpr std::size_t kDeleteNamedType = 16;
inline constexpr std::size_t kInput = 17;
inline constexpr std::size_t kOutput = 18;
inline constexpr std::size_t kTakeControl = 19;
inline constexpr std::size_t kRelinquishControl = 20;
inline constexpr std::size_t kDefineSemaphore = 21;
inline constexpr std::size_t kDeleteSemaphore = 22;
inline constexpr std::size_t kReportSemaphoreStatus = 23;
inline constexpr std::size_t kReportPoolSemaphoreStatus = 24;
inline constexpr std::size_t kReportSemaphoreEntryStatus = 25;
inline constexpr std::size_t kInitiateDownloadSequence = 26;
inline constexpr std::size_t kDownloadSegment = 27;
inline constexpr std::size_t kTerminateDownloadSequence = 28;
inline constexpr std::size_t kInitiateUploadSequence = 29;
inline constexpr std::size_t kUploadSegment = 30;
inline constexpr std::size_t kTerminateUploadSequence = 31;
inline constexpr std::size_t kRequestDomainDownload = 32;
inline constexpr std::size_t kRequestDomainUpload = 33;
inline constexpr std::size_t kLoadDomainContent = 34;
inline constexpr std::size_t kStoreDomainContent = 35;
inline constexpr std::size_t kDeleteDomain = 36;
inline constexpr std::size_t kGetDomainAttributes = 37;
inline constexpr std::size_t kCreateProgramInvocation = 38;
inline constexpr std::size_t kDeleteProgramInvocation = 39;
inline constexpr std::size_t kStart = 40;
inline constexpr std::size_t kStop = 41;
inline constexpr std::size_t kResume = 42;
inline constexpr std::size_t kReset = 43;
inline constexpr std::size_t kKill = 44;
inline constexpr std::size_t kGetProgramInvocationAttributes = 45;
inline constexpr std::size_t kObtainFile = 46;
inline constexpr std::size_t kDefineEventCondition = 47;
inline constexpr std::size_t kDeleteEventCondition = 48;
inline constexpr std::size_t kGetEventConditionAttributes = 49;
inline constexpr std::size_t kReportEventConditionStatus = 50;
inline constexpr std::size_t kAlterEventConditionMonitoring = 51;
inline constexpr std::size_t kTriggerEvent = 52;
inline constexpr std::size_t kDefineEventAction = 53;
inline constexpr std::size_t kDeleteEventAction = 54;
inline constexpr std::size_t kGetEventActionAttributes = 55;
inline constexpr std::size_t kReportEventActionStatus = 56;
inline constexpr std::size_t kDefineEventEnrollment = 57;
inline constexpr std::size_t kDeleteEventEnrollment = 58;
inline constexpr std::size_t kAlterEventEnrollment = 59;
inline constexpr std::size_t kReportEventEnrollmentStatus = 60;
inline constexpr std::size_t kGetEventEnrollmentAttributes = 61;
inline constexpr std::size_t kAcknowledgeEventNotification = 62;
inline constexpr std::size_t kGetAlarmSummary = 63;
inline constexpr std::size_t kGetAlarmEnrollmentSummary = 64;
inline constexpr std::size_t kReadJournal = 65;
inline constexpr std::size_t kWriteJournal = 66;
inline constexpr std::size_t kInitializeJournal = 67;
inline constexpr std::size_t kReportJournalStatus = 68;
inline constexpr std::size_t kCreateJournal = 69;
inline constexpr std::size_t kDeleteJournal = 70;
inline constexpr std::size_t kGetCapabilityList = 71;
inline constexpr std::size_t kFileOpen = 72;
inline constexpr std::size_t kFileRead = 73;
inline constexpr std::size_t kFileClose = 74;
inline constexpr std::size_t kFileRename = 75;
inline constexpr std::size_t kFileDelete = 76;
inline constexpr std::size_t kFileDirectory = 77;
inline constexpr std::size_t kUnsolicitedStatus = 78;
inline constexpr std::size_t kInformationReport = 79;
inline constexpr std::size_t kEventNotification = 80;
inline constexpr std::size_t kAttachToEventCondition = 81;
inline constexpr std::size_t kAttachToSemaphore = 82;
inline constexpr std::size_t kConclude = 83;
inline constexpr std::size_t kCancel = 84;
/// Number of bits IEC 61850-8-1 peers put in servicesSupportedCalling/Called.
inline constexpr std::size_t kCount = 85;
}  // namespace service_bit

/// ParameterSupportOptions (the parameter CBB BIT STRING of Initiate).
namespace parameter_bit {
inline constexpr std::size_t kStr1 = 0;  ///< arrays
inline constexpr std::size_t kStr2 = 1;  ///< structures
inline constexpr std::size_t kVnam = 2;  ///< named variables
inline constexpr std::size_t kValt = 3;  ///< alternate access
inline constexpr std::size_t kVadr = 4;  ///< unnamed (addressed) variables
inline constexpr std::size_t kVsca = 5;  ///< scattered access
inline constexpr std::size_t kTpy = 6;   ///< third party
inline constexpr std::size_t kVlis = 7;  ///< named variable lists
inline constexpr std::size_t kReal = 8;  ///< (historical) real
inline constexpr std::size_t kCei = 10;  ///< condition event instances
/// Number of bits sent (2 octets, 5 unused bits).
inline constexpr std::size_t kCount = 11;
}  // namespace parameter_bit

/// The BIT STRING octets an IEC 61850-8-1 client (libiec61850) sends in its Initiate request:
/// parameter CBB {str1, str2, vnam, valt, vlis} (5 unused bits) and services supported (3 unused
/// bits): status, getNameList, identify, read, write, getVariableAccessAttributes,
/// defineNamedVariableList, getNamedVariableListAttributes, deleteNamedVariableList,
/// getDomainAttributes, kill, readJournal, writeJournal, initializeJournal, reportJournalStatus,
/// getCapabilityList, fileOpen, fileRead, fileClose, fileDelete, fileDirectory,
/// unsolicitedStatus, informationReport, conclude, cancel.
inline constexpr std::array<std::uint8_t, 2> kIec61850ParameterCbb = {0xf1, 0x00};
inline constexpr std::array<std::uint8_t, 11> kIec61850ClientServices = {0xee, 0x1c, 0x00, 0x00, 0x04, 0x08,
                                                                         0x00, 0x00, 0x79, 0xef, 0x18};

/// A BIT STRING of exactly `size_bits` bits with the listed bits set (bits >= size_bits ignored).
BitStringValue make_bit_string(std::initializer_list<std::size_t> set_bits, std::size_t size_bits);
/// The 85-bit services-supported string of an IEC 61850 client (kIec61850ClientServices).
BitStringValue iec61850_client_services();
/// The 11-bit parameter CBB string of IEC 61850 (kIec61850ParameterCbb).
BitStringValue iec61850_parameter_cbb();

// ---------------------------------------------------------------------------------------------
// Errors: ServiceError, DataAccessError, RejectPDU
// ---------------------------------------------------------------------------------------------

/// ServiceError.errorClass alternatives (context tag numbers).
enum class ErrorClass : std::uint8_t {
  vmd_state = 0,
  application_reference = 1,
  definition = 2,
  resource = 3,
  service = 4,
  service_preempt = 5,
  time_resolution = 6,
  access = 7,
  initiate = 8,
  conclude = 9,
  cancel = 10,
  file = 11,
  others = 12,
};

/// ServiceError ::= SEQUENCE {
///   errorClass [0] CHOICE { vmd-state [0] IMPLICIT INTEGER, ..., others [12] IMPLICIT INTEGER },
///   additionalCode [1] IMPLICIT INTEGER OPTIONAL,
///   additionalDescription [2] IMPLICIT VisibleString OPTIONAL,
///   serviceSpecificInfo [3] CHOICE {...} OPTIONAL }
struct ServiceError {
  ErrorClass error_class = ErrorClass::others;
  std::int64_t code = 0;
  std::optional<std::int64_t> additional_code;
  std::optional<std::string> additional_description;
  /// serviceSpecificInfo is kept as the content octets of its [3] element (not interpreted).
  std::optional<Bytes> service_specific_info;
  friend bool operator==(const ServiceError&, const ServiceError&) = default;
};

/// DataAccessError ::= INTEGER (named values 0..11; other values are kept as they are).
enum class DataAccessError : std::uint32_t {
  object_invalidated = 0,
  hardware_fault = 1,
  temporarily_unavailable = 2,
  object_access_denied = 3,
  object_undefined = 4,
  invalid_address = 5,
  type_unsupported = 6,
  type_inconsistent = 7,
  object_attribute_inconsistent = 8,
  object_access_unsupported = 9,
  object_non_existent = 10,
  object_value_invalid = 11,
};

/// RejectPDU.rejectReason alternatives (context tag numbers).
enum class RejectClass : std::uint8_t {
  confirmed_request = 1,
  confirmed_response = 2,
  confirmed_error = 3,
  unconfirmed = 4,
  pdu_error = 5,
  cancel_request = 6,
  cancel_response = 7,
  cancel_error = 8,
  conclude_request = 9,
  conclude_response = 10,
  conclude_error = 11,
};

/// Reject codes used by reject_for() (the named values of the INTEGER of each class).
namespace reject_code {
inline constexpr std::int64_t kOther = 0;
inline constexpr std::int64_t kRequestUnrecognizedService = 1;
inline constexpr std::int64_t kRequestInvalidInvokeId = 3;
inline constexpr std::int64_t kRequestInvalidArgument = 4;
inline constexpr std::int64_t kRequestMaxServOutstandingExceeded = 6;
inline constexpr std::int64_t kRequestMaxRecursionExceeded = 8;
inline constexpr std::int64_t kRequestValueOutOfRange = 9;
inline constexpr std::int64_t kResponseUnrecognizedService = 1;
inline constexpr std::int64_t kResponseInvalidInvokeId = 2;
inline constexpr std::int64_t kResponseInvalidResult = 3;
inline constexpr std::int64_t kResponseMaxRecursionExceeded = 5;
inline constexpr std::int64_t kResponseValueOutOfRange = 6;
inline constexpr std::int64_t kErrorInvalidInvokeId = 2;
inline constexpr std::int64_t kErrorInvalidServiceError = 3;
inline constexpr std::int64_t kErrorValueOutOfRange = 4;
inline constexpr std::int64_t kUnconfirmedUnrecognizedService = 1;
inline constexpr std::int64_t kUnconfirmedInvalidArgument = 2;
inline constexpr std::int64_t kUnconfirmedMaxRecursionExceeded = 3;
inline constexpr std::int64_t kUnconfirmedValueOutOfRange = 4;
inline constexpr std::int64_t kPduUnknownPduType = 0;
inline constexpr std::int64_t kPduInvalidPdu = 1;
inline constexpr std::int64_t kPduIllegalAcseMapping = 2;
inline constexpr std::int64_t kCancelRequestInvalidInvokeId = 1;
inline constexpr std::int64_t kCancelResponseInvalidInvokeId = 1;
inline constexpr std::int64_t kCancelErrorInvalidInvokeId = 1;
inline constexpr std::int64_t kCancelErrorInvalidServiceError = 2;
inline constexpr std::int64_t kCancelErrorValueOutOfRange = 3;
inline constexpr std::int64_t kConcludeRequestInvalidArgument = 1;
inline constexpr std::int64_t kConcludeResponseInvalidResult = 1;
inline constexpr std::int64_t kConcludeErrorInvalidServiceError = 1;
inline constexpr std::int64_t kConcludeErrorValueOutOfRange = 2;
}  // namespace reject_code

/// RejectPDU ::= SEQUENCE {
///   originalInvokeID [0] IMPLICIT Unsigned32 OPTIONAL,
///   rejectReason CHOICE { confirmed-requestPDU [1] IMPLICIT INTEGER, ..., conclude-errorPDU [11]
///                         IMPLICIT INTEGER } }
struct RejectPdu {
  std::optional<InvokeId> original_invoke_id;
  RejectClass reject_class = RejectClass::pdu_error;
  std::int64_t code = 0;
  friend bool operator==(const RejectPdu&, const RejectPdu&) = default;
};

// ---------------------------------------------------------------------------------------------
// Variable access
// ---------------------------------------------------------------------------------------------

/// Address ::= CHOICE { numericAddress [0] IMPLICIT Unsigned32, symbolicAddress [1] IMPLICIT
///   MMSString, unconstrainedAddress [2] IMPLICIT OCTET STRING }
struct Address {
  struct Symbolic {
    std::string text;
    friend bool operator==(const Symbolic&, const Symbolic&) = default;
  };
  std::variant<std::uint32_t, Symbolic, Bytes> value;
  friend bool operator==(const Address&, const Address&) = default;
};

struct AlternateAccessElement;
/// AlternateAccess ::= SEQUENCE OF CHOICE { unnamed AlternateAccessSelection,
///   named [5] IMPLICIT SEQUENCE { componentName [0] IMPLICIT Identifier,
///                                 access AlternateAccessSelection } }
using AlternateAccess = std::vector<AlternateAccessElement>;

/// AlternateAccessSelection ::= CHOICE {
///   selectAlternateAccess [0] IMPLICIT SEQUENCE {
///     accessSelection CHOICE { component [0] IMPLICIT Identifier, index [1] IMPLICIT Unsigned32,
///       indexRange [2] IMPLICIT SEQUENCE { lowIndex [0] IMPLICIT Unsigned32,
///                                          numberOfElements [1] IMPLICIT Unsigned32 },
///       allElements [3] IMPLICIT NULL },
///     alternateAccess AlternateAccess },
///   selectAccess CHOICE { component [1] IMPLICIT Identifier, index [2] IMPLICIT Unsigned32,
///     indexRange [3] IMPLICIT SEQUENCE { lowIndex [0] ..., numberOfElements [1] ... },
///     allElements [4] IMPLICIT NULL } }
/// `nested` present = selectAlternateAccess (the selection, then a further AlternateAccess).
struct AlternateAccessSelection {
  struct Component {
    std::string name;
    friend bool operator==(const Component&, const Component&) = default;
  };
  struct Index {
    std::uint32_t value = 0;
    friend bool operator==(const Index&, const Index&) = default;
  };
  struct IndexRange {
    std::uint32_t low_index = 0;
    std::uint32_t number_of_elements = 0;
    friend bool operator==(const IndexRange&, const IndexRange&) = default;
  };
  struct AllElements {
    friend bool operator==(const AllElements&, const AllElements&) = default;
  };
  std::variant<Component, Index, IndexRange, AllElements> selection;
  std::optional<AlternateAccess> nested;
  friend bool operator==(const AlternateAccessSelection& a, const AlternateAccessSelection& b);
};

struct AlternateAccessElement {
  std::optional<std::string> component_name;  ///< present: the `named [5]` alternative
  AlternateAccessSelection access;
  friend bool operator==(const AlternateAccessElement&, const AlternateAccessElement&) = default;
};

inline bool operator==(const AlternateAccessSelection& a, const AlternateAccessSelection& b) {
  return a.selection == b.selection && a.nested == b.nested;
}

/// VariableSpecification ::= CHOICE { name [0] ObjectName, address [1] Address,
///   variableDescription [2] ..., scatteredAccessDescription [3] ..., invalidated [4] IMPLICIT NULL }
/// (variableDescription and scatteredAccessDescription are refused: Errc::unsupported_choice).
struct Invalidated {
  friend bool operator==(const Invalidated&, const Invalidated&) = default;
};
using VariableSpecification = std::variant<ObjectName, Address, Invalidated>;

/// SEQUENCE { variableSpecification VariableSpecification,
///            alternateAccess [5] IMPLICIT AlternateAccess OPTIONAL }
struct VariableDef {
  VariableSpecification spec;
  std::optional<AlternateAccess> alternate_access;
  friend bool operator==(const VariableDef&, const VariableDef&) = default;
};

/// VariableAccessSpecification ::= CHOICE {
///   listOfVariable [0] IMPLICIT SEQUENCE OF VariableDef,
///   variableListName [1] ObjectName }
struct ListOfVariable {
  std::vector<VariableDef> items;
  friend bool operator==(const ListOfVariable&, const ListOfVariable&) = default;
};
struct VariableListName {
  ObjectName name;
  friend bool operator==(const VariableListName&, const VariableListName&) = default;
};
using VariableAccessSpecification = std::variant<ListOfVariable, VariableListName>;

/// Convenience: a listOfVariable with one named variable.
VariableAccessSpecification single_variable(ObjectName name);

/// AccessResult ::= CHOICE { failure [0] IMPLICIT DataAccessError, success Data }
using AccessResult = std::variant<DataAccessError, Data>;

// ---------------------------------------------------------------------------------------------
// Confirmed services
// ---------------------------------------------------------------------------------------------

/// Status-Request ::= BOOLEAN (extendedDerivation)
struct StatusRequest {
  bool extended_derivation = false;
  friend bool operator==(const StatusRequest&, const StatusRequest&) = default;
};
/// Status-Response ::= SEQUENCE { vmdLogicalStatus [0] IMPLICIT INTEGER, vmdPhysicalStatus [1]
///   IMPLICIT INTEGER, localDetail [2] IMPLICIT BIT STRING (SIZE(0..128)) OPTIONAL }
struct StatusResponse {
  std::int64_t vmd_logical_status = 0;   ///< 0 state-changes-allowed, 1 no-state-changes-allowed, ...
  std::int64_t vmd_physical_status = 0;  ///< 0 operational, 1 partially-operational, ...
  std::optional<BitStringValue> local_detail;
  friend bool operator==(const StatusResponse&, const StatusResponse&) = default;
};

/// ObjectClass basicObjectClass values.
namespace object_class {
inline constexpr std::uint32_t kNamedVariable = 0;
inline constexpr std::uint32_t kScatteredAccess = 1;
inline constexpr std::uint32_t kNamedVariableList = 2;
inline constexpr std::uint32_t kNamedType = 3;
inline constexpr std::uint32_t kSemaphore = 4;
inline constexpr std::uint32_t kEventCondition = 5;
inline constexpr std::uint32_t kEventAction = 6;
inline constexpr std::uint32_t kEventEnrollment = 7;
inline constexpr std::uint32_t kJournal = 8;
inline constexpr std::uint32_t kDomain = 9;
inline constexpr std::uint32_t kProgramInvocation = 10;
inline constexpr std::uint32_t kOperatorStation = 11;
inline constexpr std::uint32_t kDataExchange = 12;
inline constexpr std::uint32_t kAccessControlList = 13;
}  // namespace object_class

/// GetNameList-Request ::= SEQUENCE {
///   objectClass [0] ObjectClass  -- CHOICE { basicObjectClass [0] IMPLICIT INTEGER, ... },
///   objectScope [1] CHOICE { vmdSpecific [0] IMPLICIT NULL, domainSpecific [1] IMPLICIT
///                            Identifier, aaSpecific [2] IMPLICIT NULL },
///   continueAfter [2] IMPLICIT Identifier OPTIONAL }
struct GetNameListRequest {
  enum class Scope : std::uint8_t { vmd = 0, domain = 1, aa = 2 };
  std::uint32_t object_class = object_class::kNamedVariable;  ///< basicObjectClass
  Scope scope = Scope::vmd;
  std::string domain;  ///< Scope::domain only
  std::optional<std::string> continue_after;
  friend bool operator==(const GetNameListRequest&, const GetNameListRequest&) = default;
};
/// GetNameList-Response ::= SEQUENCE { listOfIdentifier [0] IMPLICIT SEQUENCE OF Identifier,
///   moreFollows [1] IMPLICIT BOOLEAN DEFAULT TRUE }
struct GetNameListResponse {
  std::vector<std::string> identifiers;
  bool more_follows = true;
  friend bool operator==(const GetNameListResponse&, const GetNameListResponse&) = default;
};

/// Identify-Request ::= NULL
struct IdentifyRequest {
  friend bool operator==(const IdentifyRequest&, const IdentifyRequest&) = default;
};
/// Identify-Response ::= SEQUENCE { vendorName [0] IMPLICIT VisibleString, modelName [1] IMPLICIT
///   VisibleString, revision [2] IMPLICIT VisibleString, listOfAbstractSyntaxes [3] IMPLICIT
///   SEQUENCE OF OBJECT IDENTIFIER OPTIONAL }
struct IdentifyResponse {
  std::string vendor_name;
  std::string model_name;
  std::string revision;
  std::optional<std::vector<ber::Oid>> abstract_syntaxes;
  friend bool operator==(const IdentifyResponse&, const IdentifyResponse&) = default;
};

/// Read-Request ::= SEQUENCE { specificationWithResult [0] IMPLICIT BOOLEAN DEFAULT FALSE,
///   variableAccessSpecification [1] VariableAccessSpecification }
struct ReadRequest {
  bool specification_with_result = false;
  VariableAccessSpecification variables;
  friend bool operator==(const ReadRequest&, const ReadRequest&) = default;
};
/// Read-Response ::= SEQUENCE { variableAccessSpecification [0] VariableAccessSpecification
///   OPTIONAL, listOfAccessResult [1] IMPLICIT SEQUENCE OF AccessResult }
struct ReadResponse {
  std::optional<VariableAccessSpecification> variables;
  std::vector<AccessResult> results;
  friend bool operator==(const ReadResponse&, const ReadResponse&) = default;
};

/// Write-Request ::= SEQUENCE { variableAccessSpecification VariableAccessSpecification,
///   listOfData [0] IMPLICIT SEQUENCE OF Data }
struct WriteRequest {
  VariableAccessSpecification variables;
  std::vector<Data> data;
  friend bool operator==(const WriteRequest&, const WriteRequest&) = default;
};
/// Write-Response ::= SEQUENCE OF CHOICE { failure [0] IMPLICIT DataAccessError,
///   success [1] IMPLICIT NULL }
struct WriteSuccess {
  friend bool operator==(const WriteSuccess&, const WriteSuccess&) = default;
};
using WriteResult = std::variant<DataAccessError, WriteSuccess>;
struct WriteResponse {
  std::vector<WriteResult> results;
  friend bool operator==(const WriteResponse&, const WriteResponse&) = default;
};

/// GetVariableAccessAttributes-Request ::= CHOICE { name [0] ObjectName, address [1] Address }
struct GetVariableAccessAttributesRequest {
  std::variant<ObjectName, Address> object;
  friend bool operator==(const GetVariableAccessAttributesRequest&,
                         const GetVariableAccessAttributesRequest&) = default;
};
/// GetVariableAccessAttributes-Response ::= SEQUENCE { mmsDeletable [0] IMPLICIT BOOLEAN,
///   address [1] Address OPTIONAL, typeSpecification [2] TypeSpecification,
///   accessControlList [3] IMPLICIT Identifier OPTIONAL, meaning [4] IMPLICIT VisibleString OPTIONAL }
/// (accessControlList and meaning are refused by the decoder: IEC 61850 does not send them.)
struct GetVariableAccessAttributesResponse {
  bool mms_deletable = false;
  std::optional<Address> address;
  TypeSpecificationPtr type;
  /// Compares the type specifications by their encoding.
  friend bool operator==(const GetVariableAccessAttributesResponse& a,
                         const GetVariableAccessAttributesResponse& b);
};

/// DefineNamedVariableList-Request ::= SEQUENCE { variableListName ObjectName,
///   listOfVariable [0] IMPLICIT SEQUENCE OF VariableDef }
struct DefineNamedVariableListRequest {
  ObjectName name;
  std::vector<VariableDef> variables;
  friend bool operator==(const DefineNamedVariableListRequest&,
                         const DefineNamedVariableListRequest&) = default;
};
/// DefineNamedVariableList-Response ::= NULL
struct DefineNamedVariableListResponse {
  friend bool operator==(const DefineNamedVariableListResponse&,
                         const DefineNamedVariableListResponse&) = default;
};

/// GetNamedVariableListAttributes-Request ::= ObjectName
struct GetNamedVariableListAttributesRequest {
  ObjectName name;
  friend bool operator==(const GetNamedVariableListAttributesRequest&,
                         const GetNamedVariableListAttributesRequest&) = default;
};
/// GetNamedVariableListAttributes-Response ::= SEQUENCE { mmsDeletable [0] IMPLICIT BOOLEAN,
///   listOfVariable [1] IMPLICIT SEQUENCE OF VariableDef, accessControlList [2] ... OPTIONAL }
struct GetNamedVariableListAttributesResponse {
  bool mms_deletable = false;
  std::vector<VariableDef> variables;
  friend bool operator==(const GetNamedVariableListAttributesResponse&,
                         const GetNamedVariableListAttributesResponse&) = default;
};

/// DeleteNamedVariableList-Request ::= SEQUENCE {
///   scopeOfDelete [0] IMPLICIT INTEGER { specific(0), aa-specific(1), domain(2), vmd(3) } DEFAULT specific,
///   listOfVariableListName [1] IMPLICIT SEQUENCE OF ObjectName OPTIONAL,
///   domainName [2] IMPLICIT Identifier OPTIONAL }
struct DeleteNamedVariableListRequest {
  std::int64_t scope_of_delete = 0;
  std::optional<std::vector<ObjectName>> names;
  std::optional<std::string> domain_name;
  friend bool operator==(const DeleteNamedVariableListRequest&,
                         const DeleteNamedVariableListRequest&) = default;
};
/// DeleteNamedVariableList-Response ::= SEQUENCE { numberMatched [0] IMPLICIT Unsigned32,
///   numberDeleted [1] IMPLICIT Unsigned32 }
struct DeleteNamedVariableListResponse {
  std::uint32_t number_matched = 0;
  std::uint32_t number_deleted = 0;
  friend bool operator==(const DeleteNamedVariableListResponse&,
                         const DeleteNamedVariableListResponse&) = default;
};

/// ConfirmedServiceRequest ::= CHOICE { status [0] ..., getNameList [1] ..., identify [2] ...,
///   read [4] ..., write [5] ..., getVariableAccessAttributes [6] (explicit: CHOICE), ...,
///   defineNamedVariableList [11] ..., getNamedVariableListAttributes [12] (explicit: CHOICE),
///   deleteNamedVariableList [13] ... }  (IMPLICIT unless marked)
using ConfirmedServiceRequest =
    std::variant<StatusRequest, GetNameListRequest, IdentifyRequest, ReadRequest, WriteRequest,
                 GetVariableAccessAttributesRequest, DefineNamedVariableListRequest,
                 GetNamedVariableListAttributesRequest, DeleteNamedVariableListRequest>;
/// ConfirmedServiceResponse ::= CHOICE { same tags, all IMPLICIT }
using ConfirmedServiceResponse =
    std::variant<StatusResponse, GetNameListResponse, IdentifyResponse, ReadResponse, WriteResponse,
                 GetVariableAccessAttributesResponse, DefineNamedVariableListResponse,
                 GetNamedVariableListAttributesResponse, DeleteNamedVariableListResponse>;

/// The service tag of a request/response alternative.
std::uint32_t service_tag(const ConfirmedServiceRequest& s) noexcept;
std::uint32_t service_tag(const ConfirmedServiceResponse& s) noexcept;

// ---------------------------------------------------------------------------------------------
// PDUs
// ---------------------------------------------------------------------------------------------

/// Confirmed-RequestPDU ::= SEQUENCE { invokeID Unsigned32, listOfModifier SEQUENCE OF Modifier
///   OPTIONAL, service ConfirmedServiceRequest, service-ext [79] Request-Detail OPTIONAL }
/// (modifiers and service-ext are refused: Errc::unsupported_choice.)
struct ConfirmedRequestPdu {
  InvokeId invoke_id = 0;
  ConfirmedServiceRequest service;
  friend bool operator==(const ConfirmedRequestPdu&, const ConfirmedRequestPdu&) = default;
};
/// Confirmed-ResponsePDU ::= SEQUENCE { invokeID Unsigned32, service ConfirmedServiceResponse,
///   service-ext [79] Response-Detail OPTIONAL }
struct ConfirmedResponsePdu {
  InvokeId invoke_id = 0;
  ConfirmedServiceResponse service;
  friend bool operator==(const ConfirmedResponsePdu&, const ConfirmedResponsePdu&) = default;
};
/// Confirmed-ErrorPDU ::= SEQUENCE { invokeID [0] IMPLICIT Unsigned32, modifierPosition [1]
///   IMPLICIT Unsigned32 OPTIONAL, serviceError [2] IMPLICIT ServiceError }
struct ConfirmedErrorPdu {
  InvokeId invoke_id = 0;
  std::optional<std::uint32_t> modifier_position;
  ServiceError error;
  friend bool operator==(const ConfirmedErrorPdu&, const ConfirmedErrorPdu&) = default;
};

/// InformationReport ::= SEQUENCE { variableAccessSpecification VariableAccessSpecification,
///   listOfAccessResult [0] IMPLICIT SEQUENCE OF AccessResult }
struct InformationReport {
  VariableAccessSpecification variables;
  std::vector<AccessResult> results;
  friend bool operator==(const InformationReport&, const InformationReport&) = default;
};
/// Unconfirmed-PDU ::= SEQUENCE { service UnconfirmedService, service-ext [79] ... OPTIONAL }
/// UnconfirmedService ::= CHOICE { informationReport [0] IMPLICIT InformationReport, ... }
struct UnconfirmedPdu {
  InformationReport report;
  friend bool operator==(const UnconfirmedPdu&, const UnconfirmedPdu&) = default;
};

/// Cancel-RequestPDU ::= Unsigned32 (the invokeID to cancel)
struct CancelRequestPdu {
  InvokeId invoke_id = 0;
  friend bool operator==(const CancelRequestPdu&, const CancelRequestPdu&) = default;
};
/// Cancel-ResponsePDU ::= Unsigned32
struct CancelResponsePdu {
  InvokeId invoke_id = 0;
  friend bool operator==(const CancelResponsePdu&, const CancelResponsePdu&) = default;
};
/// Cancel-ErrorPDU ::= SEQUENCE { originalInvokeID [0] IMPLICIT Unsigned32,
///   serviceError [1] IMPLICIT ServiceError }
struct CancelErrorPdu {
  InvokeId original_invoke_id = 0;
  ServiceError error;
  friend bool operator==(const CancelErrorPdu&, const CancelErrorPdu&) = default;
};

/// Initiate-RequestPDU ::= SEQUENCE {
///   localDetailCalling [0] IMPLICIT Integer32 OPTIONAL,
///   proposedMaxServOutstandingCalling [1] IMPLICIT Integer16,
///   proposedMaxServOutstandingCalled [2] IMPLICIT Integer16,
///   proposedDataStructureNestingLevel [3] IMPLICIT Integer8 OPTIONAL,
///   initRequestDetail [4] IMPLICIT SEQUENCE {
///     proposedVersionNumber [0] IMPLICIT Integer16,
///     proposedParameterCBB [1] IMPLICIT ParameterSupportOptions,
///     servicesSupportedCalling [2] IMPLICIT ServiceSupportOptions } }
/// (Initiate-ResponsePDU has the same shape with localDetailCalled and negotiated* fields.)
struct InitiateParameters {
  std::optional<std::int32_t> local_detail;  ///< max PDU size in octets
  std::int16_t max_serv_outstanding_calling = 1;
  std::int16_t max_serv_outstanding_called = 1;
  std::optional<std::int8_t> data_structure_nesting_level;
  std::int16_t version_number = 1;
  BitStringValue parameter_cbb;
  BitStringValue services_supported;
  friend bool operator==(const InitiateParameters&, const InitiateParameters&) = default;
};
struct InitiateRequestPdu {
  InitiateParameters params;
  friend bool operator==(const InitiateRequestPdu&, const InitiateRequestPdu&) = default;
};
struct InitiateResponsePdu {
  InitiateParameters params;
  friend bool operator==(const InitiateResponsePdu&, const InitiateResponsePdu&) = default;
};
/// Initiate-ErrorPDU ::= ServiceError
struct InitiateErrorPdu {
  ServiceError error;
  friend bool operator==(const InitiateErrorPdu&, const InitiateErrorPdu&) = default;
};
/// Conclude-RequestPDU ::= NULL
struct ConcludeRequestPdu {
  friend bool operator==(const ConcludeRequestPdu&, const ConcludeRequestPdu&) = default;
};
/// Conclude-ResponsePDU ::= NULL
struct ConcludeResponsePdu {
  friend bool operator==(const ConcludeResponsePdu&, const ConcludeResponsePdu&) = default;
};
/// Conclude-ErrorPDU ::= ServiceError
struct ConcludeErrorPdu {
  ServiceError error;
  friend bool operator==(const ConcludeErrorPdu&, const ConcludeErrorPdu&) = default;
};

/// MMSpdu ::= CHOICE { confirmed-RequestPDU [0] IMPLICIT ..., ..., conclude-ErrorPDU [13] IMPLICIT ... }
/// The variant index equals the context tag number (PduKind).
struct Pdu {
  using Body = std::variant<ConfirmedRequestPdu, ConfirmedResponsePdu, ConfirmedErrorPdu, UnconfirmedPdu,
                            RejectPdu, CancelRequestPdu, CancelResponsePdu, CancelErrorPdu,
                            InitiateRequestPdu, InitiateResponsePdu, InitiateErrorPdu, ConcludeRequestPdu,
                            ConcludeResponsePdu, ConcludeErrorPdu>;
  Body body;

  Pdu() = default;
  template <class T, class = std::enable_if_t<std::is_constructible_v<Body, T&&> &&
                                              !std::is_same_v<std::decay_t<T>, Pdu>>>
  Pdu(T&& v) : body(std::forward<T>(v)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] PduKind kind() const noexcept { return static_cast<PduKind>(body.index()); }
  template <class T>
  [[nodiscard]] const T* get() const noexcept {
    return std::get_if<T>(&body);
  }
  template <class T>
  [[nodiscard]] T* get() noexcept {
    return std::get_if<T>(&body);
  }
  friend bool operator==(const Pdu&, const Pdu&) = default;
};

// ---------------------------------------------------------------------------------------------
// Codec
// ---------------------------------------------------------------------------------------------

/// Append the BER encoding of `pdu` to the writer's buffer.
void encode_pdu(ber::Writer& w, const Pdu& pdu);
/// The BER encoding of `pdu`.
[[nodiscard]] Bytes encode_pdu(const Pdu& pdu);

/// What a failed decode knew when it stopped: enough to build the RejectPDU.
struct PduError {
  Error error;
  std::optional<PduKind> kind;           ///< MMSpdu alternative, when its tag was recognised
  std::optional<InvokeId> invoke_id;     ///< invokeID, when it was read before the failure
  std::optional<std::uint32_t> service;  ///< service tag, when it was read before the failure
  bool unknown_pdu_type = false;         ///< the outer tag is readable but no MMSpdu alternative
};

/// Decode exactly one MMSpdu (trailing bytes are an error). Offsets in errors are absolute
/// (`base_offset` is the offset of data[0] in the outermost buffer). On failure, `failure` (when
/// given) receives the context for reject_for().
[[nodiscard]] Result<Pdu> decode_pdu(ByteView data, const Limits& limits = default_limits(),
                                     PduError* failure = nullptr, std::size_t base_offset = 0);

/// The RejectPDU that ISO 9506-2 prescribes for a PDU that failed to decode:
/// an unknown confirmed service -> confirmed-requestPDU unrecognized-service with the invokeID;
/// a PDU whose tag is unknown -> pdu-error unknown-pdu-type; a PDU that cannot be parsed at all
/// -> pdu-error invalid-pdu; other errors -> the class of the PDU with invalid-argument /
/// invalid-result / invalid-serviceError / max-recursion-exceeded / value-out-of-range.
/// nullopt for a malformed RejectPDU (a reject is never answered with a reject).
[[nodiscard]] std::optional<RejectPdu> reject_for(const PduError& failure);

// ---------------------------------------------------------------------------------------------
// Names (for `mmssec decode` and error messages)
// ---------------------------------------------------------------------------------------------

/// "confirmed-RequestPDU", ... ("unknown" outside 0..13).
std::string_view pdu_name(PduKind kind) noexcept;
/// ConfirmedServiceRequest alternative names, tags 0..77 ("read", "getNameList"); "unknown".
std::string_view confirmed_service_name(std::uint32_t tag) noexcept;
/// "informationReport", "unsolicitedStatus", "eventNotification"; "unknown".
std::string_view unconfirmed_service_name(std::uint32_t tag) noexcept;
/// ServiceSupportOptions bit names ("getNameList"); "unknown" beyond bit 91.
std::string_view service_support_name(std::size_t bit) noexcept;
/// ParameterSupportOptions bit names ("str1", "vlis"); "unknown".
std::string_view parameter_support_name(std::size_t bit) noexcept;
/// basicObjectClass names ("namedVariable", "domain"); "unknown".
std::string_view object_class_name(std::uint32_t cls) noexcept;
/// "vmd-state", ..., "others".
std::string_view error_class_name(ErrorClass cls) noexcept;
/// Named value of a ServiceError code in its class ("object-non-existent"); "unknown".
std::string_view error_code_name(ErrorClass cls, std::int64_t code) noexcept;
/// "access: object-non-existent" (unknown codes print their number).
std::string describe(const ServiceError& e);
/// "object-non-existent", ...; "unknown".
std::string_view data_access_error_name(DataAccessError e) noexcept;
/// "confirmed-requestPDU", ..., "conclude-errorPDU".
std::string_view reject_class_name(RejectClass cls) noexcept;
/// Named value of a reject code in its class ("unrecognized-service"); "unknown".
std::string_view reject_code_name(RejectClass cls, std::int64_t code) noexcept;
/// "confirmed-requestPDU: unrecognized-service (invokeID 7)".
std::string describe(const RejectPdu& r);

}  // namespace mmssec::mms
