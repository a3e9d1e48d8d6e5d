// The baseline app of the benchmarks: the same Next.js and React as the product, and nothing else. Its routes and
// page are the framework's own ceiling (requests per second) and floor (first-load JavaScript).
export const metadata = { title: "Empty" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
