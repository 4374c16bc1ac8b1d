/** A bar with a known share done, or an indeterminate one while the amount of work is unknown. */
export function ProgressBar({
  value,
  label,
  testId,
}: {
  /** Whole percent, or null for indeterminate. */
  value: number | null;
  label: string;
  testId?: string;
}) {
  return (
    <div
      className={`lib-progress${value === null ? ' lib-progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      {...(value === null ? {} : { 'aria-valuenow': value })}
      data-testid={testId}
    >
      <div className="lib-progress-fill" style={value === null ? undefined : { width: `${value}%` }} />
    </div>
  );
}
