// The lexical half of Intuit's query language (query-parser.ts has the grammar): the text cut into words, quoted
// strings, numbers and symbols, and a reader over them that produces Intuit-like "Encountered … Was expecting …"
// messages for the parser.

export type Literal = string | number | boolean;

/** Both stages fail the same way: "parse" is Intuit's 4000 "Error parsing query", "validation" its 4001. */
export type QueryError = { kind: "parse" | "validation"; detail: string };

export interface Token {
  kind: "word" | "string" | "number" | "symbol";
  text: string;
  /** 1-based column, for Intuit-like parser messages. */
  column: number;
}

export function tokenize(query: string): Token[] | QueryError {
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

/** Reads the tokens one by one, with the checks and the Intuit-like error messages the parser needs. */
export class TokenStream {
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

export const isError = (value: unknown): value is QueryError => typeof value === "object" && value !== null && "kind" in value && "detail" in value;
