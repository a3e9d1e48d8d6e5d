import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { CsvRecordCounter, csvText } from "./csv-writers";

describe("CSV writing (csv-stringify set up as PostgreSQL's COPY … FORMAT csv)", () => {
  it("writes RFC 4180 with a header row, \\n line ends, NULL empty and the empty string quoted", () => {
    const csv = csvText(
      [
        ["plain", "a,b", 'say "hi"', "line1\nline2", "cr\rhere", "ünïcødé ✓", null, ""],
        ["'=1", "x", "y", "z", "w", "v", "u", "t"],
      ],
      ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"],
    );
    expect(csv).toBe(
      'c1,c2,c3,c4,c5,c6,c7,c8\nplain,"a,b","say ""hi""","line1\nline2","cr\rhere",ünïcødé ✓,,""\n\'=1,x,y,z,w,v,u,t\n',
    );
    expect(parse(csv, { columns: true })).toEqual([
      { c1: "plain", c2: "a,b", c3: 'say "hi"', c4: "line1\nline2", c5: "cr\rhere", c6: "ünïcødé ✓", c7: "", c8: "" },
      { c1: "'=1", c2: "x", c3: "y", c4: "z", c5: "w", c6: "v", c7: "u", c8: "t" },
    ]);
  });

  it("writes the header alone when there is no row", () => {
    expect(csvText([], ["a", "b"])).toBe("a,b\n");
  });

  it("counts records (header included) across chunks, ignoring newlines inside quotes", () => {
    const csv = Buffer.from('h1,h2\n"a\n""b""\n",c\nd,"e,\n"\nf,g\n', "utf8");
    for (const size of [1, 2, 3, 5, 7, csv.length]) {
      const counter = new CsvRecordCounter();
      for (let i = 0; i < csv.length; i += size) counter.feed(csv.subarray(i, i + size));
      expect(counter.records, `chunks of ${size}`).toBe(4);
    }
  });
});
