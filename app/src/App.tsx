// SPDX-License-Identifier: MIT
/** Layout and routes; every route but the first is its own chunk (loaded on first visit). */
import { lazy, Suspense } from "react";
import { Link, Route, Switch, useLocation } from "wouter";
import { Loading } from "./components/ui.tsx";
import { WalletBar } from "./components/WalletBar.tsx";
import { DatanetList } from "./routes/DatanetList.tsx";

const DatanetDetail = lazy(() => import("./routes/DatanetDetail.tsx"));
const CreateDatanet = lazy(() => import("./routes/CreateDatanet.tsx"));
const Staking = lazy(() => import("./routes/Staking.tsx"));
const Governance = lazy(() => import("./routes/Governance.tsx"));
const Earnings = lazy(() => import("./routes/Earnings.tsx"));
const Factory = lazy(() => import("./routes/Factory.tsx"));
const Chat = lazy(() => import("./routes/Chat.tsx"));

const NAV = [
  ["/", "Datanets"],
  ["/staking", "Staking"],
  ["/governance", "Governance"],
  ["/earnings", "Earnings"],
  ["/factory", "Model Factory"],
  ["/chat", "Chat"],
] as const;

export function App() {
  const [loc] = useLocation();
  const active = (href: string) => (href === "/" ? loc === "/" || loc.startsWith("/datanets") : loc.startsWith(href));
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Lineage</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <Link href={href} aria-current={active(href) ? "page" : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <WalletBar />
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Suspense fallback={<Loading what="page" />}>
          <Switch>
            <Route path="/" component={DatanetList} />
            <Route path="/datanets/new" component={CreateDatanet} />
            <Route path="/datanets/:id">{(p) => <DatanetDetail id={p.id} />}</Route>
            <Route path="/staking" component={Staking} />
            <Route path="/governance" component={Governance} />
            <Route path="/earnings" component={Earnings} />
            <Route path="/factory" component={Factory} />
            <Route path="/chat" component={Chat} />
            <Route>
              <h1>Not found</h1>
              <p>
                No page here. <Link href="/">Back to Datanets</Link>
              </p>
            </Route>
          </Switch>
        </Suspense>
      </main>
    </>
  );
}
