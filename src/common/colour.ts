// Terminal colour, the one copy: when to colour (a terminal, and NO_COLOR unset) and the SGR codes
// diagnostics, plan/diff rendering and `alignc data` previews paint with. Whether to colour is the
// caller's choice (a renderer takes a boolean), so output to a file or a test stays plain.

/** Colour only on a terminal and never when NO_COLOR is set to a non-empty value (no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env["NO_COLOR"];
}

const SGR = { bold: "1", dim: "2", red: "31", green: "32", yellow: "33", blue: "34", cyan: "36" } as const;
export type Colour = keyof typeof SGR;
export type Palette = Record<Colour, (s: string) => string>;

/** One painter per colour: `\x1b[<code>m…\x1b[0m` when `on`, else the text unchanged. */
export function palette(on: boolean): Palette {
  const out = {} as Palette;
  for (const [name, code] of Object.entries(SGR) as [Colour, string][]) out[name] = on ? (s) => `\u001b[${code}m${s}\u001b[0m` : (s) => s;
  return out;
}
