// Intuit's query language, as far as a sync needs it (Intuit's "Data queries" page):
//
//   SELECT * | COUNT(*) | Field[, Field…] FROM Entity
//     [WHERE cond [AND cond…]]                cond: Field =|!=|<|>|<=|>= value · Field IN (value, …) · Field LIKE '%text%'
//     [ORDERBY Field [ASC|DESC][, …]]         ("ORDER BY" accepted too)
//     [STARTPOSITION n] [MAXRESULTS n]        1-based; MAXRESULTS defaults to 100 and is capped at 1,000
//
// Keywords, entity and field names are case-insensitive; values are 'quoted strings' (a quote inside is \'),
// numbers, or true/false. There is no OR, as at Intuit. Name-list entities (Account, Customer, Vendor, …) return only
// active objects unless the query filters on Active itself (`where Active in (true,false)` returns both).
// A query Intuit could not parse is 400 ValidationFault 4000 "Error parsing query"; a field that cannot be filtered or
// sorted on is 4001 "Invalid query" (QueryValidationError). The rows themselves come from the caller, already in
// their Intuit JSON shape, so one evaluator serves every entity.

/** Intuit's largest page. */
export const QUERY_MAX_RESULTS = 1000;
export const QUERY_DEFAULT_RESULTS = 100;

type Literal = string | number | boolean;
type Operator = "=" | "!=" | "<" | ">" | "<=" | ">=" | "in" | "like";

export interface QueryCondition {
  field: string;
  operator: Operator;
  values: Literal[];
}

export interface QueryOrder {
  field: string;
  descending: boolean;
}

export interface ParsedQuery {
  entity: string;
  count: boolean;
  /** null for `select *`. */
  fields: string[] | null;
  where: QueryCondition[];
  orderBy: QueryOrder[];
  startPosition: number;
  /** As asked; the page is capped at QUERY_MAX_RESULTS. */
  maxResults: number;
}

export type QueryError = { kind: "parse" | "validation"; detail: string };

/** Entities whose inactive objects a query leaves out unless it filters on Active. */
const NAME_LIST_ENTITIES: ReadonlySet<string> = new Set(["Account", "Customer", "Vendor", "Employee", "Item", "Class", "Department", "Term", "PaymentMethod"]);

/** The Account properties Intuit lets a query filter and sort on (Account entity reference, "filterable"/"sortable"). */
const QUERYABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Account: [
    "Id",
    "Name",
    "FullyQualifiedName",
    "Active",
    "SubAccount",
    "ParentRef",
    "Classification",
    "AccountType",
    "AccountSubType",
    "AcctNum",
    "CurrentBalance",
    "CurrentBalanceWithSubAccounts",
    "MetaData.CreateTime",
    "MetaData.LastUpdatedTime",
  ],
};

interface Token {
  kind: "word" | "string" | "number" | "symbol";
  text: string;
  /** 1-based column, for Intuit-like parser messages. */
  column: number;
}

function tokenize(query: string): Token[] | QueryError {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const char = query[i]!;
    if (/\s/.test(char)) {
      i += 1;
      continue;
    }
    const column = i + 1;
    if (char === "'") {
      let text = "";
      i += 1;
      for (;;) {
        if (i >= query.length) return { kind: "parse", detail: `Lexical error at line 1, column ${column}: unterminated string.` };
        const c = query[i]!;
        if (c === "\\" && query[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (c === "'") {
          i += 1;
          break;
        } else {
          text += c;
          i += 1;
        }
      }
      tokens.push({ kind: "string", text, column });
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(query.slice(i));
    if (number) {
      tokens.push({ kind: "number", text: number[0], column });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i));
    if (word) {
      tokens.push({ kind: "word", text: word[0], column });
      i += word[0].length;
      continue;
    }
    const symbol = /^(<=|>=|!=|<>|[*(),=<>])/.exec(query.slice(i));
    if (symbol) {
      tokens.push({ kind: "symbol", text: symbol[0] === "<>" ? "!=" : symbol[0], column });
      i += symbol[0].length;
      continue;
    }
    return { kind: "parse", detail: `Lexical error at line 1, column ${column}. Encountered: "${char}"` };
  }
  return tokens;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.index];
  }

  isKeyword(keyword: string, offset = 0): boolean {
    const token = this.tokens[this.index + offset];
    return token?.kind === "word" && token.text.toLowerCase() === keyword;
  }

  isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token?.kind === "symbol" && token.text === symbol;
  }

  next(): Token | undefined {
    const token = this.tokens[this.index];
    this.index += 1;
    return token;
  }

  unexpected(expected: string): QueryError {
    const token = this.peek();
    if (!token) return { kind: "parse", detail: `Encountered "<EOF>" at the end of the query. Was expecting ${expected}.` };
    return { kind: "parse", detail: `Encountered " ${token.text} " at line 1, column ${token.column}. Was expecting ${expected}.` };
  }

  expectKeyword(keyword: string): true | QueryError {
    if (!this.isKeyword(keyword)) return this.unexpected(keyword.toUpperCase());
    this.next();
    return true;
  }

  expectSymbol(symbol: string): true | QueryError {
    if (!this.isSymbol(symbol)) return this.unexpected(`"${symbol}"`);
    this.next();
    return true;
  }

  field(): string | QueryError {
    const token = this.peek();
    if (token?.kind !== "word") return this.unexpected("a property name");
    this.next();
    return token.text;
  }

  literal(): Literal | QueryError {
    const token = this.peek();
    if (!token) return this.unexpected("a value");
    if (token.kind === "string") {
      this.next();
      return token.text;
    }
    if (token.kind === "number") {
      this.next();
      return Number(token.text);
    }
    if (token.kind === "word" && /^(true|false)$/i.test(token.text)) {
      this.next();
      return token.text.toLowerCase() === "true";
    }
    return this.unexpected("a value");
  }

  integer(clause: string): number | QueryError {
    const token = this.peek();
    if (token?.kind !== "number" || !/^\d+$/.test(token.text)) return this.unexpected(`a whole number after ${clause}`);
    this.next();
    return Number(token.text);
  }
}

const isError = (value: unknown): value is QueryError => typeof value === "object" && value !== null && "kind" in value && "detail" in value;

/** Parses a query for the given entities (canonical names); an entity Intuit does not know is a parse error. */
export function parseQuery(query: string, entities: ReadonlySet<string>): ParsedQuery | QueryError {
  const tokens = tokenize(query);
  if (isError(tokens)) return tokens;
  const p = new Parser(tokens);

  if (!p.isKeyword("select")) return { kind: "parse", detail: "Encountered an unexpected token at the start of the query. Was expecting SELECT." };
  p.next();

  let count = false;
  let fields: string[] | null = null;
  if (p.isSymbol("*")) {
    p.next();
  } else if (p.isKeyword("count")) {
    p.next();
    for (const step of [p.expectSymbol("("), p.expectSymbol("*"), p.expectSymbol(")")]) if (isError(step)) return step;
    count = true;
  } else {
    fields = [];
    for (;;) {
      const field = p.field();
      if (isError(field)) return field;
      fields.push(field);
      if (!p.isSymbol(",")) break;
      p.next();
    }
  }

  const from = p.expectKeyword("from");
  if (isError(from)) return from;
  const entityToken = p.next();
  if (entityToken?.kind !== "word") return { kind: "parse", detail: "Expected an entity name after FROM." };
  const entity = [...entities].find((name) => name.toLowerCase() === entityToken.text.toLowerCase());
  if (!entity) return { kind: "parse", detail: `Invalid entity name: ${entityToken.text}` };

  const where: QueryCondition[] = [];
  if (p.isKeyword("where")) {
    p.next();
    for (;;) {
      const condition = parseCondition(p);
      if (isError(condition)) return condition;
      where.push(condition);
      if (!p.isKeyword("and")) break;
      p.next();
    }
  }

  const orderBy: QueryOrder[] = [];
  if (p.isKeyword("orderby") || (p.isKeyword("order") && p.isKeyword("by", 1))) {
    if (p.isKeyword("order")) p.next();
    p.next();
    for (;;) {
      const field = p.field();
      if (isError(field)) return field;
      let descending = false;
      if (p.isKeyword("asc") || p.isKeyword("desc")) descending = p.next()!.text.toLowerCase() === "desc";
      orderBy.push({ field, descending });
      if (!p.isSymbol(",")) break;
      p.next();
    }
  }

  let startPosition = 1;
  let maxResults = QUERY_DEFAULT_RESULTS;
  const seen = new Set<string>();
  while (p.isKeyword("startposition") || p.isKeyword("maxresults")) {
    const clause = p.next()!.text.toLowerCase();
    if (seen.has(clause)) return p.unexpected("the end of the query");
    seen.add(clause);
    const value = p.integer(clause.toUpperCase());
    if (isError(value)) return value;
    if (clause === "startposition") startPosition = value;
    else maxResults = value;
  }
  if (p.peek()) return p.unexpected(p.isKeyword("or") ? "AND (Intuit's queries have no OR)" : "the end of the query");
  if (startPosition < 1) return { kind: "validation", detail: "STARTPOSITION must be 1 or more." };
  if (maxResults < 1) return { kind: "validation", detail: "MAXRESULTS must be 1 or more." };

  const queryable = QUERYABLE_FIELDS[entity];
  if (queryable) {
    for (const field of [...where.map((c) => c.field), ...orderBy.map((o) => o.field)]) {
      if (!queryable.some((name) => name.toLowerCase() === field.toLowerCase())) return { kind: "validation", detail: `property '${field}' is not queryable` };
    }
  }
  return { entity, count, fields, where, orderBy, startPosition, maxResults };
}

function parseCondition(p: Parser): QueryCondition | QueryError {
  const field = p.field();
  if (isError(field)) return field;
  if (p.isKeyword("in")) {
    p.next();
    const open = p.expectSymbol("(");
    if (isError(open)) return open;
    const values: Literal[] = [];
    for (;;) {
      const value = p.literal();
      if (isError(value)) return value;
      values.push(value);
      if (!p.isSymbol(",")) break;
      p.next();
    }
    const close = p.expectSymbol(")");
    if (isError(close)) return close;
    return { field, operator: "in", values };
  }
  if (p.isKeyword("like")) {
    p.next();
    const value = p.literal();
    if (isError(value)) return value;
    if (typeof value !== "string") return { kind: "parse", detail: "LIKE needs a quoted pattern." };
    return { field, operator: "like", values: [value] };
  }
  const token = p.peek();
  if (token?.kind !== "symbol" || !["=", "!=", "<", ">", "<=", ">="].includes(token.text)) return p.unexpected("an operator (=, <, >, <=, >=, !=, IN, LIKE)");
  p.next();
  const value = p.literal();
  if (isError(value)) return value;
  return { field, operator: token.text as Operator, values: [value] };
}

/** The value at a dotted path of an Intuit record, field names case-insensitive. */
function valueAt(record: Record<string, unknown>, path: string): unknown {
  let current: unknown = record;
  for (const segment of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    const key = Object.keys(current).find((name) => name.toLowerCase() === segment.toLowerCase());
    current = key === undefined ? undefined : (current as Record<string, unknown>)[key];
  }
  // A reference (ParentRef) compares by its value.
  if (typeof current === "object" && current !== null && "value" in current) return (current as { value: unknown }).value;
  return current;
}

const isTimeField = (field: string) => /time$/i.test(field);
const isNumericText = (value: string) => /^-?\d+(\.\d+)?$/.test(value);

/** Orders two values the way Intuit compares the field: times as instants, numbers and numeric ids numerically, text ignoring case. */
function compareValues(field: string, actual: unknown, literal: Literal): number | null {
  if (actual === undefined || actual === null) return null;
  if (typeof actual === "boolean") {
    const expected = typeof literal === "boolean" ? literal : String(literal).toLowerCase() === "true";
    return actual === expected ? 0 : actual ? 1 : -1;
  }
  if (isTimeField(field)) {
    const a = Date.parse(String(actual));
    const b = Date.parse(String(literal));
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    return Math.sign(a - b);
  }
  const a = String(actual);
  const b = String(literal);
  if ((typeof actual === "number" || isNumericText(a)) && (typeof literal === "number" || isNumericText(b))) return Math.sign(Number(a) - Number(b));
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
}

function likePattern(pattern: string): RegExp {
  const body = pattern
    .split("%")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "is");
}

function matches(record: Record<string, unknown>, condition: QueryCondition): boolean {
  const actual = valueAt(record, condition.field);
  const [first] = condition.values;
  switch (condition.operator) {
    case "in":
      return condition.values.some((value) => compareValues(condition.field, actual, value) === 0);
    case "like":
      return actual !== undefined && actual !== null && likePattern(String(first)).test(String(actual));
    default: {
      const order = compareValues(condition.field, actual, first!);
      if (order === null) return false;
      if (condition.operator === "=") return order === 0;
      if (condition.operator === "!=") return order !== 0;
      if (condition.operator === "<") return order < 0;
      if (condition.operator === ">") return order > 0;
      if (condition.operator === "<=") return order <= 0;
      return order >= 0;
    }
  }
}

function sortKeyCompare(field: string, a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : -1;
  if (b === undefined || b === null) return 1;
  return compareValues(field, a, typeof b === "boolean" || typeof b === "number" ? b : String(b)) ?? 0;
}

function project(record: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const top = field.split(".")[0]!;
    const key = Object.keys(record).find((name) => name.toLowerCase() === top.toLowerCase());
    if (key !== undefined) out[key] = record[key];
  }
  return { ...out, domain: record.domain, sparse: true, Id: record.Id, SyncToken: record.SyncToken };
}

/** The QueryResponse document (without `time`, which the route adds) for rows already in Intuit's JSON shape. */
export function queryResponseBody(query: ParsedQuery, rows: readonly Record<string, unknown>[]): Record<string, unknown> {
  const filtersActive = query.where.some((condition) => condition.field.toLowerCase() === "active");
  let selected = rows.filter((row) => query.where.every((condition) => matches(row, condition)));
  if (NAME_LIST_ENTITIES.has(query.entity) && !filtersActive) selected = selected.filter((row) => row.Active !== false);
  if (query.count) return { QueryResponse: { totalCount: selected.length } };
  if (query.orderBy.length > 0) {
    selected = [...selected].sort((a, b) => {
      for (const order of query.orderBy) {
        const result = sortKeyCompare(order.field, valueAt(a, order.field), valueAt(b, order.field));
        if (result !== 0) return order.descending ? -result : result;
      }
      return 0;
    });
  }
  const size = Math.min(query.maxResults, QUERY_MAX_RESULTS);
  const page = selected.slice(query.startPosition - 1, query.startPosition - 1 + size);
  // Intuit omits the entity key entirely (an empty QueryResponse) when nothing matches.
  if (page.length === 0) return { QueryResponse: {} };
  const fields = query.fields;
  const shaped = fields ? page.map((row) => project(row, fields)) : page;
  return { QueryResponse: { [query.entity]: shaped, startPosition: query.startPosition, maxResults: page.length } };
}
