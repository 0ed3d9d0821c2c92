// A labelled progress bar with the numbers staff care about: how much, and how long is left.
export function ProgressBar({ label, value, max, detail }: { label: string; value: number; max: number; detail?: string }) {
  const percent = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return (
    <div className="progress">
      <div className="progress__label">
        <span>{label}</span>
        <span>{percent}%</span>
      </div>
      <div className="progress__track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className="progress__fill" style={{ width: `${percent}%` }} />
      </div>
      {detail ? <p className="progress__detail muted">{detail}</p> : null}
    </div>
  );
}
