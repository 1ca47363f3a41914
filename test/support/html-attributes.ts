// Reads an element's attributes the way the HTML tokenizer does (WHATWG "before attribute value"
// states): a quoted value ends at the first matching quote, whatever it means to the author, and
// character references in it are decoded. Enough to see what a browser would send for a form field.
const NAMED_REFERENCES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decodeReferences(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, reference: string) => {
    if (reference.startsWith("#x") || reference.startsWith("#X")) return String.fromCodePoint(Number.parseInt(reference.slice(2), 16));
    if (reference.startsWith("#")) return String.fromCodePoint(Number(reference.slice(1)));
    return NAMED_REFERENCES[reference.toLowerCase()] ?? whole;
  });
}

/** The attributes of the first start tag whose `id` attribute is `id`, as a browser parses them. */
export function attributesOfElementWithId(html: string, id: string): Record<string, string> {
  const tagStart = /<([a-z][a-z0-9-]*)(?=[\s/>])/gi;
  for (let match = tagStart.exec(html); match; match = tagStart.exec(html)) {
    const attributes: Record<string, string> = {};
    let position = match.index + match[0].length;
    for (;;) {
      while (/[\s/]/.test(html[position] ?? "")) position += 1;
      if (html[position] === ">" || position >= html.length) break;
      const name = /^[^\s/>=]+/.exec(html.slice(position))![0].toLowerCase();
      position += name.length;
      while (/\s/.test(html[position] ?? "")) position += 1;
      let value = "";
      if (html[position] === "=") {
        position += 1;
        while (/\s/.test(html[position] ?? "")) position += 1;
        const quote = html[position];
        if (quote === '"' || quote === "'") {
          const end = html.indexOf(quote, position + 1);
          value = html.slice(position + 1, end === -1 ? html.length : end);
          position = end === -1 ? html.length : end + 1;
        } else {
          value = /^[^\s>]*/.exec(html.slice(position))![0];
          position += value.length;
        }
      }
      // The first of two same-named attributes wins.
      if (!(name in attributes)) attributes[name] = decodeReferences(value);
    }
    if (attributes.id === id) return attributes;
    tagStart.lastIndex = position;
  }
  throw new Error(`no element with id="${id}"`);
}
