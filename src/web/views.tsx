import type { ComponentChildren } from "preact";
import { renderToStaticMarkup } from "preact-render-to-string";
import type { Block, Card, Rich } from "../model/message.js";
import { Chart } from "../render/chart.js";

/**
 * The board's HTML, server-rendered with preact: every string from a case goes through
 * preact's escaping (text and attributes), never through hand-built markup. No script, no
 * external asset: one stylesheet served from the board itself.
 */

export function Page({ title, who, children, refresh }: { title: string; who?: string; children: ComponentChildren; refresh?: string }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        {refresh && <meta http-equiv="refresh" content={`0;url=${refresh}`} />}
        <title>{`${title} — Liaison board`}</title>
        <link rel="stylesheet" href="/board/board.css" />
      </head>
      <body>
        <header>
          <span class="brand">Liaison board</span>
          {who && (
            <nav>
              <a href="/board">Cases</a>
              <a href="/board/digests">Digests</a>
              <span class="who">{who}</span>
              <a href="/board/logout">Sign out</a>
            </nav>
          )}
        </header>
        <main>
          <h1>{title}</h1>
          {children}
        </main>
        <footer>Read-only: cases change in Slack, Discord or the console.</footer>
      </body>
    </html>
  );
}

export const html = (node: preact.VNode) => `<!doctype html>\n${renderToStaticMarkup(node)}`;

export function RichText({ rich }: { rich: Rich }) {
  return (
    <>
      {rich.map((s, i) => {
        switch (s.t) {
          case "text":
            return s.v;
          case "strong":
            return <strong key={i}>{s.v}</strong>;
          case "code":
            return <code key={i}>{s.v}</code>;
          case "mention":
            return <span key={i} class="person">{`@${s.person.name}`}</span>;
          case "br":
            return <br key={i} />;
        }
      })}
    </>
  );
}

export function CardView({ card }: { card: Card }) {
  return (
    <section class="card">
      <h2>
        {card.badge && <span class={`badge tone-${card.badge.tone}`}>{card.badge.label}</span>} {card.title}
      </h2>
      {card.subtitle && (
        <p class="subtitle">
          <RichText rich={card.subtitle} />
        </p>
      )}
      <dl>
        {card.fields.map((f) => (
          <div key={f.label} class={f.short ? "short" : "wide"}>
            <dt>{f.label}</dt>
            <dd>
              <RichText rich={f.value} />
            </dd>
          </div>
        ))}
      </dl>
      {card.sections.map((s, i) => (
        <p key={i}>
          <RichText rich={s} />
        </p>
      ))}
      {card.footer && (
        <p class="muted">
          <RichText rich={card.footer} />
        </p>
      )}
    </section>
  );
}

export function Blocks({ blocks }: { blocks: Block[] }) {
  return (
    <>
      {blocks.map((b, i) => {
        switch (b.kind) {
          case "text":
            return (
              <p key={i}>
                <RichText rich={b.rich} />
              </p>
            );
          case "list":
            return (
              <ul key={i}>
                {b.items.map((item, j) => (
                  <li key={j}>
                    <RichText rich={item} />
                  </li>
                ))}
              </ul>
            );
          case "card":
            return <CardView key={i} card={b.card} />;
          case "chart":
            return (
              <figure key={i} class="chart">
                <Chart chart={b.chart} id={`chart-${i}`} />
              </figure>
            );
          case "file":
            return null;
        }
      })}
    </>
  );
}

export const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2933;background:#f5f7fa}
header{display:flex;justify-content:space-between;align-items:center;padding:.6rem 1.2rem;background:#1f2933;color:#fff}
header a{color:#cbd2d9;margin-left:1rem;text-decoration:none}header a:hover{color:#fff}
.brand{font-weight:600}.who{margin-left:1rem;color:#9aa5b1}
main{max-width:72rem;margin:0 auto;padding:1rem 1.2rem 3rem}
h1{font-size:1.4rem;margin:.6rem 0 1rem}h2{font-size:1.1rem;margin:.2rem 0 .6rem}
footer{text-align:center;color:#7b8794;font-size:.85rem;padding:1rem}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #e4e7eb}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e4e7eb;vertical-align:top}
th{background:#f0f4f8;font-weight:600;font-size:.85rem}
td.hash,code{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:.82rem;word-break:break-all}
a{color:#2f6fb5}
form.filters{display:flex;flex-wrap:wrap;gap:.8rem;align-items:end;margin-bottom:1rem;background:#fff;padding:.8rem;border:1px solid #e4e7eb}
form.filters label{display:flex;flex-direction:column;font-size:.85rem;color:#52606d}
form.filters label.check{flex-direction:row;gap:.3rem;align-items:center}
select,button{font:inherit;padding:.25rem .4rem}
.card{background:#fff;border:1px solid #e4e7eb;padding:1rem;margin-bottom:1rem}
.card dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.4rem 1rem;margin:0 0 .6rem}
.card dl div.wide{grid-column:1/-1}.card dt{font-size:.8rem;color:#52606d}.card dd{margin:0}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.25rem;font-size:.8rem;font-weight:600;color:#fff;background:#52606d}
.tone-red{background:#c62828}.tone-amber{background:#e08a00}.tone-green{background:#2e7d32}.tone-clear{background:#fff;color:#1f2933;border:1px solid #9aa5b1}
.ok{color:#2e7d32;font-weight:600}.broken{color:#c62828;font-weight:600}.muted{color:#7b8794}
.breached{color:#c62828;font-weight:600}
.notice{background:#fff;border-left:4px solid #2f6fb5;padding:.8rem 1rem}
.digest{background:#fff;border:1px solid #e4e7eb;padding:1rem;margin-bottom:1.5rem}
figure.chart{margin:.5rem 0;overflow-x:auto}figure.chart svg{max-width:100%;height:auto}
`;
