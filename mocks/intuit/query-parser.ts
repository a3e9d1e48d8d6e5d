// Intuit's query language, as far as a sync needs it (Intuit's "Data queries" page):
//
//   SELECT * | COUNT(*) | Field[, Field…] FROM Entity
//     [WHERE cond [AND cond…]]                cond: Field =|!=|<|>|<=|>= value · Field IN (value, …) · Field LIKE '%text%'
//     [ORDERBY Field [ASC|DESC][, …]]         ("ORDER BY" accepted too)
//     [STARTPOSITION n] [MAXRESULTS n]        1-based; MAXRESULTS defaults to 100 and is capped at 1,000
//
// Keywords, entity and field names are case-insensitive; values are 'quoted strings' (a quote inside is \'),
// numbers, or true/false. There is no OR, as at Intuit. Name-list entities (Account, Customer, Vendor, …) return only
// active objects unless the query filters on Active itself (`where Active in (true,false)` returns both: see
// query-evaluator.ts, which runs a parsed query over rows). A query Intuit could not parse is 400 ValidationFault
// 4000 "Error parsing query"; a field that cannot be filtered or sorted on is 4001 "Invalid query"
// (QueryValidationError). query-lexer.ts cuts the text into tokens; this module turns them into a ParsedQuery.

import { TokenStream, isError, tokenize, type Literal, type QueryError } from "./query-lexer";

/** Intuit's largest page. */
export const QUERY_MAX_RESULTS = 1000;
export const QUERY_DEFAULT_RESULTS = 100;

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


/** Parses a query for the given entities (canonical names); an entity Intuit does not know is a parse error. */
export function parseQuery(query: string, entities: ReadonlySet<string>): ParsedQuery | QueryError {
  const tokens = tokenize(query);
  if (isError(tokens)) return tokens;
  const p = new TokenStream(tokens);

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

function parseCondition(p: TokenStream): QueryCondition | QueryError {
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
