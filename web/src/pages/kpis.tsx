/** The KPI dashboard (waits for the KPI API, GET /api/reports/kpis). */
import { PageHeader } from '../ui';

export function Kpis() {
  return (
    <>
      <PageHeader title="KPIs" />
      <p class="empty">The KPI dashboard arrives with the KPI report of the API.</p>
    </>
  );
}
