import type { OutgoingHttpHeaders } from 'node:http';

/** One request of the fuzz: everything but the server's address. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** What the request is, for a failure message. */
  label: string;
}

export interface MountedRoute {
  method: string;
  /** As the router declares it, `:name` for parameters. */
  path: string;
  /** Send every mutation with every real token (false: HEAD and unserved methods, answered by the same code). */
  thorough: boolean;
}

/** Keys every object inherits: a parser that builds ordinary objects trips over them. */
export const prototypeKeys = [
  'toString',
  'constructor',
  'valueOf',
  'hasOwnProperty',
  '__proto__',
  '__defineGetter__',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__lookupGetter__',
];

const nested = (depth: number, open: string, close: string, inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

/** JSON bodies no route accepts: wrong types, inherited names, deep nesting, broken syntax. */
export const jsonBodies: { label: string; text: string; type?: string }[] = [
  { label: 'array', text: '[]' },
  { label: 'string', text: '"text"' },
  { label: 'number', text: '123' },
  { label: 'null', text: 'null' },
  { label: 'empty object', text: '{}' },
  { label: 'unknown nesting', text: JSON.stringify({ unexpected: { deep: [1, 2, 3] } }) },
  {
    label: 'wrong types everywhere',
    text: JSON.stringify({
      phone_number: 5,
      passcode: null,
      identifier: {},
      identifier_type: ['x'],
      channel: 7,
      options: 'x',
      client_id: [],
      grant_type: 7,
      provider: {},
      redirect_uri: 1,
      connection: [],
      username: {},
      otp: [],
      name: false,
      otp_policy: 'x',
      client_secret: { a: 1 },
      realm: [],
      send: {},
      custom_gateway: 'x',
      fallback: {},
      role: 9,
      redirect_uris: 'x',
    }),
  },
  { label: 'prototype keys', text: `{${prototypeKeys.map((key) => `"${key}":"x"`).join(',')}}` },
  { label: 'prototype keys as objects', text: `{${prototypeKeys.map((key) => `"${key}":{"polluted":true}`).join(',')}}` },
  {
    label: 'prototype keys inside',
    text: JSON.stringify({
      provider: 'CustomGateway',
      custom_gateway: Object.fromEntries(prototypeKeys.map((key) => [key, 1])),
      options: { constructor: { prototype: 1 } },
    }),
  },
  {
    label: 'provider named like a member',
    text: JSON.stringify({ provider: 'constructor', fallback: [{ provider: '__proto__' }, { provider: 'toString' }] }),
  },
  {
    label: 'grant type named like a member',
    text: JSON.stringify({ grant_type: 'constructor', client_id: 'toString', client_secret: 'x' }),
  },
  { label: 'deep object (3000)', text: nested(3000, '{"a":', '}') },
  { label: 'deep array (3000)', text: nested(3000, '[', ']') },
  { label: 'deep array (20000)', text: nested(20_000, '[', ']') },
  { label: 'one level too deep (33)', text: nested(33, '{"a":', '}') },
  { label: 'deep inside a known field', text: `{"phone_number":${nested(200, '[', ']')},"options":${nested(100, '{"x":', '}')}}` },
  { label: 'brackets in strings do not count', text: JSON.stringify({ phone_number: '['.repeat(500), name: '{'.repeat(500) }) },
  { label: 'truncated', text: '{"a":' },
  { label: 'trailing comma', text: '{"a":1,}' },
  { label: 'NUL', text: '\u0000' },
  { label: 'lone surrogate', text: '{"phone_number":"\\ud800"}' },
  { label: 'huge number', text: '{"limit":1e999,"phone_number":-0}' },
  { label: 'long string', text: JSON.stringify({ phone_number: 'x'.repeat(60_000) }) },
  { label: 'over the body limit', text: JSON.stringify({ pad: 'x'.repeat(150_000) }) },
  { label: 'latin-1 charset', text: '{}', type: 'application/json; charset=latin1' },
  { label: '+json type', text: nested(500, '{"a":', '}'), type: 'application/merge-patch+json' },
  { label: 'text/plain', text: '{"a":1}', type: 'text/plain' },
  { label: 'xml', text: '<a/>', type: 'application/xml' },
  { label: 'multipart garbage', text: '--x\r\n\r\n', type: 'multipart/form-data; boundary=x' },
  { label: 'bad content-type', text: '{}', type: ';;;=' },
];

/** Form bodies: inherited names, repeats, broken escapes. */
export const formBodies: { label: string; text: string }[] = [
  ...prototypeKeys.map((key) => ({ label: `form ${key}`, text: `${key}=x` })),
  {
    label: 'form grant with members',
    text: `grant_type=client_credentials&${prototypeKeys.map((key) => `${encodeURIComponent(key)}=1`).join('&')}`,
  },
  { label: 'form repeated members', text: 'toString=a&toString=b&constructor=c&constructor=d&valueOf=e' },
  { label: 'form start with members', text: 'client_id=acme-web&connection=sms&toString=x&hasOwnProperty=y' },
  { label: 'form repeated grant', text: 'grant_type=client_credentials&grant_type=refresh_token&client_id=a&client_id=b' },
  { label: 'form bad escapes', text: 'grant_type=%zz&client_id=%E0%A4%A&%=%&&==&' },
  { label: 'form NUL', text: 'grant_type=%00&client_id=%00&client_secret=%00&phone_number=%00' },
];

/** Query strings added to every route. */
export const queries = [
  '',
  `?${prototypeKeys.map((key) => `${encodeURIComponent(key)}=1`).join('&')}`,
  '?constructor=a&constructor=b&toString=c&toString=d&hasOwnProperty=',
  '?at=yesterday&kind=%00&id=&cursor=-1&phone_number=abc&types=%2C&format=xml&limit=1e999&from=x&to=y&after=%ff&identifier=&token=.',
  '?kind=__proto__&id=constructor&at=toString&types=constructor,__proto__&format=constructor&limit=toString&identifier=toString',
  '?phone_number=%2B14155550100&phone_number=%2B14155550101&limit=-1&limit=2&cursor=1.5&at=99999999999999999999',
  '?%zz=%zz&=&&=x&a[b]=1&a[__proto__]=1&__proto__[x]=1',
  // every query parameter a route describes, each with a value its schema refuses
  '?per_page=0x10&page=-1&take=1e999&include_totals=yes&include_fields=1&name=a&name=b&fields=x&fields=y&strategy=',
  '?PageSize=Infinity&Page=1.5&PageToken=a&PageToken=b&kind=user&token=&after=&from=2026-1-1&to=2026-02-30',
  '?kind=lockouts&id=12&at=-1&cursor=99999999999999999999&user_id=a&user_id=b&phone_number=%2B1&client_id=&type=&types=',
];

/** Values put where a route declares a path parameter. */
export const pathValues = [
  'nope',
  '__proto__',
  'constructor',
  '%00',
  '%E0%A4%A',
  '..%2F..%2Fetc',
  'x'.repeat(300),
  'acme-web',
  '%F0%9F%92%A9',
];

export type Credentials = Record<string, string | undefined>;

/** Authorization headers beside the real tokens: malformed, foreign schemes. */
export const oddAuthorizations: Credentials = {
  garbage: 'Bearer garbage',
  emptyBearer: 'Bearer ',
  basicMembers: `Basic ${Buffer.from('toString:constructor').toString('base64')}`,
  basicBroken: 'Basic !!!',
  basicColon: `Basic ${Buffer.from(':').toString('base64')}`,
};

interface Mutation {
  label: string;
  query: string;
  headers: OutgoingHttpHeaders;
  body?: string;
}

/** Every query alone, then every body (with a query beside it), then odd headers. */
function mutations(): Mutation[] {
  return [
    ...queries.map((query, index) => ({ label: `query ${index}`, query, headers: {} })),
    ...jsonBodies.map(({ label, text, type }, index) => ({
      label,
      query: queries[index % queries.length]!,
      headers: { 'content-type': type ?? 'application/json' },
      body: text,
    })),
    ...formBodies.map(({ label, text }, index) => ({
      label,
      query: queries[index % queries.length]!,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: text,
    })),
    {
      label: 'odd headers',
      query: '',
      headers: { 'x-request-id': '../../\u00ff'.repeat(40), accept: '*/*;q=x', 'content-type': 'application/json' },
    },
  ];
}

/**
 * The fuzz: every route gets every mutation with each of the `thorough` credentials (real tokens, so
 * requests get past authentication into parsing and validation), and once more with one of the `other`
 * credentials in turn (none, malformed, forged); a route that is not `thorough` gets each mutation with
 * one real token in turn. Path parameters take odd values in turn. Deterministic, so a failure can be
 * sent again.
 */
export function malformedRequests(mounted: readonly MountedRoute[], thorough: Credentials, other: Credentials): FuzzRequest[] {
  const requests: FuzzRequest[] = [];
  const others = Object.entries(other);
  for (const route of mounted) {
    let variant = 0;
    const nextPath = () => route.path.replace(/:\w+/g, () => pathValues[variant++ % pathValues.length]!);
    const add = (who: string, authorization: string | undefined, { label, query, headers, body }: Mutation) =>
      requests.push({
        method: route.method,
        path: `${nextPath()}${query}`,
        headers: { ...(authorization !== undefined && { authorization }), ...headers },
        ...(body !== undefined && { body }),
        label: `${route.method} ${route.path} as ${who}: ${label}`,
      });
    const every = Object.entries(thorough);
    mutations().forEach((mutation, index) => {
      if (route.thorough) for (const [who, authorization] of every) add(who, authorization, mutation);
      else add(...every[index % every.length]!, mutation);
      add(...others[index % others.length]!, mutation);
    });
  }
  return requests;
}

/**
 * Frames node's HTTP parser refuses, for every route: a broken chunked body, a header line without a colon,
 * both Content-Length and chunked, oversized headers, a NUL in the target, a negative length. Each must be
 * answered (400 or 431), never dropped, never logged as a server error.
 */
export function malformedFrames(mounted: readonly MountedRoute[]): { frame: string; label: string }[] {
  const frames: { frame: string; label: string }[] = [];
  for (const { method, path } of mounted) {
    const target = path.replace(/:\w+/g, 'nope');
    const start = `${method} ${target} HTTP/1.1\r\nHost: otpledger\r\n`;
    const variants: [string, string][] = [
      ['broken chunk', `${start}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n`],
      ['header without colon', `${start}Bad Header y\r\n\r\n`],
      ['length and chunked', `${start}Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n`],
      ['oversized headers', `${start}X-Pad: ${'a'.repeat(20_000)}\r\n\r\n`],
      ['NUL in target', `${method} ${target}\u0000 HTTP/1.1\r\nHost: otpledger\r\n\r\n`],
      ['negative length', `${start}Content-Length: -5\r\n\r\n`],
    ];
    for (const [label, frame] of variants) frames.push({ frame, label: `${method} ${path}: raw ${label}` });
  }
  return frames;
}
