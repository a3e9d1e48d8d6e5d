// An empty page, rendered per request like the console's pages (they read the session), not prerendered.
export const dynamic = "force-dynamic";

export default function EmptyPage() {
  return <main>Empty page</main>;
}
