import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule.default;

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

/**
 * Checks responses of a running otpledger against its own `GET /openapi.json`: the status must be one the
 * operation lists (exactly, or its `4XX`/`5XX` range), the media type one of that response's, and a JSON body must
 * satisfy its schema. A path or method the document lacks may only answer 404 or 405 in the path family's error
 * shape (not checked here). Used by every e2e test through `startOtpServer`'s request helper.
 */
export class OpenApiResponses {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<object, ValidateFunction>();
  private readonly paths: { pattern: RegExp; template: string; item: Record<string, Operation> }[];

  constructor(
    private readonly document: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } },
  ) {
    addFormats(this.ajv);
    this.paths = Object.entries(document.paths).map(([template, item]) => ({
      template,
      item,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  static async of(baseUrl: string): Promise<OpenApiResponses> {
    const response = await fetch(`${baseUrl}/openapi.json`);
    if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}`);
    return new OpenApiResponses((await response.json()) as never);
  }

  /** The problem with a response, or undefined when the document describes it. */
  problem(method: string, url: string, status: number, contentType: string | null, body: unknown): string | undefined {
    const path = new URL(url, 'http://x').pathname;
    const what = `${method} ${path} → ${status}`;
    const found = this.paths.filter(({ pattern }) => pattern.test(path));
    const literal = found.find(({ template }) => !template.includes('{')) ?? found[0];
    const operation = literal?.item[method.toLowerCase()] ?? (method === 'HEAD' ? literal?.item.get : undefined);
    if (!operation) {
      if (status === 404 || status === 405) return undefined;
      return `${what}: the OpenAPI document has no operation ${method.toLowerCase()} for this path`;
    }
    const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default;
    if (!response) return `${what}: status ${status} is not described (described: ${Object.keys(operation.responses).join(', ')})`;
    const content = response.content ?? {};
    const mediaType = contentType?.split(';')[0]!.trim().toLowerCase();
    if (method === 'HEAD' || body === undefined || body === '') {
      return undefined;
    }
    if (Object.keys(content).length === 0) return `${what}: a body was answered where the document describes none`;
    const entry = mediaType ? content[mediaType] : undefined;
    if (!entry) return `${what}: media type ${mediaType} is not described (described: ${Object.keys(content).join(', ')})`;
    if (mediaType !== 'application/json' && !mediaType!.endsWith('+json')) return undefined;
    const validate = this.validator(entry.schema);
    if (validate(body)) return undefined;
    return `${what}: the body breaks the document's schema: ${this.ajv.errorsText(validate.errors)}; body ${JSON.stringify(body).slice(0, 400)}`;
  }

  private validator(schema: object): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) this.compiled.set(schema, (validate = this.ajv.compile(this.inlined(schema) as object)));
    return validate;
  }

  /** The schema with `#/components/schemas/…` references replaced by what they name. */
  private inlined(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((item) => this.inlined(item));
    if (typeof schema !== 'object' || schema === null) return schema;
    const ref = (schema as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/'))
      return this.inlined(this.document.components.schemas[ref.slice(21)]);
    return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, this.inlined(value)]));
  }
}
