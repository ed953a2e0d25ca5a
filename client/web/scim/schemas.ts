// What this service provider implements, as discovery tells it (RFC 7643 §5–§7, RFC 7644 §4):
// Users only, with the core and enterprise attributes the directory keeps (nothing is advertised that
// is not stored and given back), and an extension of ours that shows a person's offboarding. PATCH and
// filter yes; bulk, sort, changePassword and ETags no.
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Our extension: where the person's offboarding stands (read-only). */
export const OFFBOARDING_USER = 'urn:offboarding-worker:params:scim:schemas:extension:offboarding:2.0:User';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SERVICE_PROVIDER_CONFIG = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

/** A list request returns at most this many users (count above it is clamped, RFC 7644 §3.4.2.4). */
export const MAX_RESULTS = 200;

type Attribute = {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference';
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: Attribute[];
};

const attr = (name: string, description: string, extra: Partial<Attribute> = {}): Attribute => ({
  name,
  type: 'string',
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const userAttributes: Attribute[] = [
  attr('userName', 'Unique identifier of the person, typically their sign-in email; it is their email here unless a work email is given.', { required: true, uniqueness: 'server' }),
  attr('name', 'The person’s name; the directory shows displayName, else formatted, else given and family name.', {
    type: 'complex',
    subAttributes: [
      attr('formatted', 'The full name.'),
      attr('familyName', 'The family name.'),
      attr('givenName', 'The given name.'),
    ],
  }),
  attr('displayName', 'The name the directory shows.'),
  attr('title', 'Job title.'),
  attr('active', 'false: the person can no longer sign in and their offboarding starts (they become inactive when it completes); true again: the offboarding is rescinded, or they are reactivated.', {
    type: 'boolean',
  }),
  attr('emails', 'Email addresses; the work one (else the primary, else the first) is the person’s email here.', {
    type: 'complex',
    multiValued: true,
    subAttributes: [
      attr('value', 'The email address.'),
      attr('type', 'work, home or other.', { canonicalValues: ['work', 'home', 'other'] }),
      attr('primary', 'The preferred address.', { type: 'boolean' }),
    ],
  }),
];

const enterpriseAttributes: Attribute[] = [
  attr('employeeNumber', 'The employee number the organization assigned.', { caseExact: true }),
  attr('manager', 'The person’s manager: value is the manager’s id here. A manager not (yet) known here is kept and shown, and resolved when they are.', {
    type: 'complex',
    subAttributes: [
      attr('value', 'The id of the manager’s User here.', { caseExact: true }),
      attr('$ref', 'The URI of the manager’s User here.', { type: 'reference', referenceTypes: ['User'], caseExact: true }),
    ],
  }),
];

const offboardingAttributes: Attribute[] = [
  attr('stage', 'Where the person’s offboarding stands (queued, awaiting-reassignment, inactivated, removed…); absent when there is none.', { mutability: 'readOnly' }),
  attr('batchId', 'The offboarding batch the person is in.', { mutability: 'readOnly', caseExact: true }),
];

const schemaResource = (base: string, id: string, name: string, description: string, attributes: Attribute[]) => ({
  schemas: [SCHEMA],
  id,
  name,
  description,
  attributes,
  meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
});

export function schemaResources(base: string) {
  return [
    schemaResource(base, CORE_USER, 'User', 'User Account', userAttributes),
    schemaResource(base, ENTERPRISE_USER, 'EnterpriseUser', 'Enterprise User', enterpriseAttributes),
    schemaResource(base, OFFBOARDING_USER, 'OffboardingUser', 'Where the person’s offboarding stands', offboardingAttributes),
  ];
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: [RESOURCE_TYPE],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'People of the connection’s company',
      schema: CORE_USER,
      schemaExtensions: [
        { schema: ENTERPRISE_USER, required: false },
        { schema: OFFBOARDING_USER, required: false },
      ],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
  ];
}

export function serviceProviderConfig(base: string, docs: string) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG],
    documentationUri: docs,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'The token of a connection (HR → Connections, or `offboard connections create`), as Authorization: Bearer <token>.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

/** A top-level attribute's name as the schema spells it (names are case-insensitive, RFC 7643 §2.1). */
const CANONICAL: ReadonlyMap<string, string> = new Map(
  ['id', 'externalId', 'meta', 'schemas', ...userAttributes.map((a) => a.name)].map((n) => [n.toLowerCase(), n]),
);
const CANONICAL_SUB: ReadonlyMap<string, string> = new Map(
  [...userAttributes, ...enterpriseAttributes, ...offboardingAttributes]
    .flatMap((a) => [a.name, ...(a.subAttributes ?? []).map((s) => s.name)])
    .map((n) => [n.toLowerCase(), n]),
);
const EXTENSIONS: ReadonlyMap<string, string> = new Map([ENTERPRISE_USER, OFFBOARDING_USER, CORE_USER].map((u) => [u.toLowerCase(), u]));

export const canonicalAttribute = (name: string): string | undefined => CANONICAL.get(name.toLowerCase());
export const canonicalSubAttribute = (name: string): string => CANONICAL_SUB.get(name.toLowerCase()) ?? name;
export const canonicalSchema = (urn: string): string | undefined => EXTENSIONS.get(urn.toLowerCase());
