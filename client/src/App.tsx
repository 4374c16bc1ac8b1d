import { useServerHealth } from './health.js';

export function App() {
  const health = useServerHealth();
  return (
    <main className="shell">
      <header>
        <h1>Maskroom</h1>
        <p className="tagline">Segment video together, live.</p>
      </header>
      <section
        aria-label="Server status"
        className={`status status-${health.state}`}
        data-testid="server-status"
      >
        {health.state === 'checking' && 'Connecting to the server…'}
        {health.state === 'ok' && `Server ready (v${health.version})`}
        {health.state === 'down' && `Server unavailable: ${health.reason}. Is \`npm start\` still running?`}
      </section>
    </main>
  );
}
