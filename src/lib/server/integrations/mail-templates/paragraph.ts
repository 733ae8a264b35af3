/**
 * A paragraph: our plain text; someone's words quoted under a label that ends in its colon
 * ("Note:", see quote.ts); or translated parts whose `link` part becomes an anchor to `href`
 * (a meeting link, a page), e.g. from `t.parts("mail.link_line", …)`.
 */
export type Paragraph =
  | string
  | { label: string; quote: string }
  | { parts: { text: string; tag: string | null }[]; href: string };
