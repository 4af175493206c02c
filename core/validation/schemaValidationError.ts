/**
 * A value did not match its JSON Schema. `problems` holds one line per problem, each starting with the
 * JSON path of the offending value; `message` joins them so one log line or one HTTP answer says it all.
 */
export class SchemaValidationError extends Error {
  override readonly name: string = 'SchemaValidationError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

/**
 * A query string did not match the schema its route describes it with (`compileQuerySchema`). `problems` keep their
 * JSON paths; `message` names the parameters as a client wrote them: `limit must be ...; kind is required`.
 */
export class QueryValidationError extends SchemaValidationError {
  override readonly name = 'QueryValidationError';

  constructor(problems: readonly string[]) {
    super(problems);
    this.message = problems.map((problem) => problem.replace(/^\//, '')).join('; ');
  }
}
