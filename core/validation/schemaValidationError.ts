/**
 * A value did not match its JSON Schema. `problems` holds one line per problem, each starting with the
 * JSON path of the offending value; `message` joins them so one log line or one HTTP answer says it all.
 */
export class SchemaValidationError extends Error {
  override readonly name = 'SchemaValidationError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}
