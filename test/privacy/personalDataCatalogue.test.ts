import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { personalDataCatalogue, privacyOf } from '../../core/privacy/personalData.js';

/**
 * Walks every event the code declares or builds (a type `{ type: 'PascalCase'; data: ... }`, or an
 * object literal `{ type: 'PascalCase', data }`) with the TypeScript checker, and holds each against
 * the personal data catalogue: a type missing from it, or a data field that looks personal and is
 * neither sealed nor explained, fails the test with the file and the field to fix.
 */
const ROOTS = ['core', 'projections', 'plugins', 'packages', 'cli'];
const EVENT_TYPE = /^[A-Z][A-Za-z0-9]+$/;
/** Names under which personal data hides: phones, emails, names, recipients, addresses, free text. */
const PERSONAL_NAME =
  /phone(?!.*hash)|e-?mail|user_?name|^to$|recipient|^name$|(first|last|full|display)_?name|address|^ip$|^ips$|user_?agent|message|^body$|^text$|^from$|sender|birth|location|^geo/i;

interface Declaration {
  type: string;
  file: string;
  data: ts.Type;
}

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'test') walk(full);
      else if (entry.isFile() && full.endsWith('.ts') && !full.endsWith('.d.ts')) files.push(full);
    }
  };
  for (const root of ROOTS) walk(root);
  return files;
}

function collectEvents(files = sourceFiles()): { declarations: Declaration[]; checker: ts.TypeChecker } {
  const wanted = new Set(files.map((file) => path.resolve(file)));
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const declarations: Declaration[] = [];
  const literalType = (node: ts.Node | undefined) =>
    node && ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal) ? node.literal.text : undefined;
  for (const source of program.getSourceFiles()) {
    if (source.isDeclarationFile || !wanted.has(path.resolve(source.fileName))) continue;
    const file = path.relative(process.cwd(), source.fileName);
    const visit = (node: ts.Node) => {
      if (ts.isTypeLiteralNode(node) || ts.isInterfaceDeclaration(node)) {
        const member = (name: string) =>
          node.members.find((m): m is ts.PropertySignature => ts.isPropertySignature(m) && m.name.getText(source) === name);
        const type = literalType(member('type')?.type);
        const data = member('data');
        if (type && EVENT_TYPE.test(type) && data?.type) declarations.push({ type, file, data: checker.getTypeFromTypeNode(data.type) });
      }
      if (ts.isObjectLiteralExpression(node)) {
        const property = (name: string) =>
          node.properties.find(
            (p): p is ts.PropertyAssignment | ts.ShorthandPropertyAssignment =>
              (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name.getText(source) === name,
          );
        const typeProperty = property('type');
        const type =
          typeProperty && ts.isPropertyAssignment(typeProperty) && ts.isStringLiteral(typeProperty.initializer)
            ? typeProperty.initializer.text
            : undefined;
        const data = property('data');
        if (type && EVENT_TYPE.test(type) && data) {
          const dataType = ts.isPropertyAssignment(data)
            ? checker.getTypeAtLocation(data.initializer)
            : checker.getShorthandAssignmentValueSymbol(data) && checker.getTypeAtLocation(data.name);
          if (dataType) declarations.push({ type, file, data: dataType });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { declarations, checker };
}

/** Why a field looks personal (its name, an open type, or something inside it), or undefined. */
function suspicion(checker: ts.TypeChecker, name: string, type: ts.Type, depth = 0, seen = new Set<ts.Type>()): string | undefined {
  if (PERSONAL_NAME.test(name)) return `its name "${name}"`;
  if (depth > 4 || seen.has(type)) return undefined;
  seen.add(type);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return `its open type (${checker.typeToString(type)})`;
  const parts = type.isUnion() || type.isIntersection() ? type.types : [type];
  for (const part of parts) {
    if (!(part.flags & ts.TypeFlags.Object)) continue;
    if (checker.isArrayType(part)) {
      const [element] = checker.getTypeArguments(part as ts.TypeReference);
      const inner = element && suspicion(checker, name, element, depth + 1, seen);
      if (inner) return inner;
      continue;
    }
    if (part.getStringIndexType()) return `its open type (${checker.typeToString(part)})`;
    if (part.getCallSignatures().length > 0 || part.symbol?.name === 'Date') continue;
    for (const property of checker.getPropertiesOfType(part)) {
      const inner = suspicion(checker, property.name, checker.getTypeOfSymbol(property), depth + 1, seen);
      if (inner) return `${name}.${property.name}: ${inner}`;
    }
  }
  return undefined;
}

/** The event types of the declarations that the catalogue does not list, with their files. */
function uncatalogued(declarations: readonly Declaration[]): string[] {
  return [...new Set(declarations.filter((d) => !privacyOf(d.type)).map((d) => `${d.type} (${d.file})`))];
}

/** Every field of a catalogued event that looks personal and is neither sealed nor explained. */
function unsealed(checker: ts.TypeChecker, declarations: readonly Declaration[]): string[] {
  const problems: string[] = [];
  for (const { type, file, data } of declarations) {
    const privacy = privacyOf(type);
    if (!privacy) continue;
    const sealed = new Set<string>(privacy.personal?.fields ?? []);
    const explained = new Set(Object.keys(privacy.notPersonal ?? {}));
    for (const property of checker.getPropertiesOfType(checker.getApparentType(data))) {
      const why = suspicion(checker, property.name, checker.getTypeOfSymbol(property));
      if (why && !sealed.has(property.name) && !explained.has(property.name)) {
        problems.push(`${type}.${property.name} (${file}) looks personal by ${why}: seal it, or say in notPersonal why it is not`);
      }
    }
  }
  return [...new Set(problems)];
}

describe('personal data catalogue', function () {
  this.timeout(120_000);
  const { declarations, checker } = collectEvents();

  it('finds the events of the code (the walk itself works)', () => {
    const types = new Set(declarations.map((d) => d.type));
    // among them those SMS protection, the OIDC work and the Twilio Verify dialect brought
    for (const known of [
      'UserCreated',
      'SmsSent',
      'AuthorizationCodeIssued',
      'TenantCreated',
      'OtpRequestedForUnknownIdentifier',
      'AuditQueried',
      'SmsSendRefused',
      'PrefixQuarantined',
      'PrefixReleased',
      'SmsProtectionConfigured',
      'TokenIntrospected',
      'VerifyServiceCreated',
      'VerifyServiceUpdated',
      'VerifyServiceDeleted',
    ]) {
      expect(types, known).to.include(known);
    }
    expect(suspicion(checker, 'to', checker.getStringType())).to.be.a('string');
    expect(suspicion(checker, 'codeHash', checker.getStringType())).to.equal(undefined);
  });

  it('lists every event type the code declares or builds', () => {
    expect(uncatalogued(declarations), 'add these to core/privacy/personalData.ts').to.deep.equal([]);
  });

  it('seals or explains every field that looks personal, in every declaration of every event', () => {
    expect(unsealed(checker, declarations)).to.deep.equal([]);
  });

  it('fails on a new event type without an entry, and on a new personal field of a known one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogue-'));
    try {
      const file = path.join(dir, 'newEvents.ts');
      fs.writeFileSync(
        file,
        [
          "export type NewEvent = { type: 'LoyaltyPointsAwarded'; data: { userId: string; points: number } };",
          "export const built = (phoneNumber: string) => ({ type: 'SmsSendRefused', data: { reason: 'cooldown', recipientPhone: phoneNumber } });",
          '',
        ].join('\n'),
      );
      const walked = collectEvents([file]);
      expect(uncatalogued(walked.declarations).map((line) => line.split(' ')[0])).to.deep.equal(['LoyaltyPointsAwarded']);
      expect(unsealed(walked.checker, walked.declarations))
        .to.have.length(1)
        .and.to.satisfy((problems: string[]) => problems[0]!.startsWith('SmsSendRefused.recipientPhone'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names only fields and types that exist', () => {
    const fieldsOf = new Map<string, Set<string>>();
    for (const { type, data } of declarations) {
      const fields = fieldsOf.get(type) ?? new Set<string>();
      for (const property of checker.getPropertiesOfType(checker.getApparentType(data))) fields.add(property.name);
      fieldsOf.set(type, fields);
    }
    const stale: string[] = [];
    for (const [type, privacy] of Object.entries(personalDataCatalogue) as [
      string,
      { personal?: { fields: readonly string[] }; notPersonal?: object },
    ][]) {
      const fields = fieldsOf.get(type);
      if (!fields) {
        stale.push(`${type}: no such event in the code`);
        continue;
      }
      for (const field of [...(privacy.personal?.fields ?? []), ...Object.keys(privacy.notPersonal ?? {})]) {
        if (!fields.has(field)) stale.push(`${type}.${field}: no such field`);
      }
    }
    expect(stale).to.deep.equal([]);
  });
});
