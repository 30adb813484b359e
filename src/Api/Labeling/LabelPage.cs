namespace Rlhf.Api.Labeling;

/// <summary>
/// The labeling page: plain HTML, a little CSS and vanilla JS inlined (no framework, no build step). It reads the link's
/// token from <c>?token=</c>, loads <c>label/batch</c>, shows one comparison at a time and posts every answer at the end to
/// <c>label/submissions</c> (both relative to <c>/api/label</c>, so the page works under any host prefix).
/// </summary>
public static class LabelPage
{
    public const string Html = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Preference labeling</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { display: flex; gap: 1rem; align-items: baseline; padding: .75rem 1.5rem; background: #1d2330; color: #fff; }
  header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
  main { max-width: 60rem; margin: 1rem auto; padding: 0 1.5rem; }
  blockquote { margin: 0 0 1rem; padding: .75rem 1rem; background: #fff; border-left: 4px solid #3d6df2; font-size: 1.1rem; }
  .choices { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: .75rem; }
  .choice { display: block; width: 100%; text-align: left; padding: .75rem 1rem; border: 2px solid #c9ced8; border-radius: 8px; background: #fff; font: inherit; cursor: pointer; }
  .choice[aria-pressed="true"], .choice.ranked { border-color: #3d6df2; background: #eef2ff; }
  .choice .key { display: inline-block; min-width: 1.5rem; font-weight: 700; color: #3d6df2; }
  .choice .rank { float: right; font-weight: 700; }
  .verdicts button, .nav button { font: inherit; padding: .4rem .9rem; margin-right: .5rem; border-radius: 6px; border: 1px solid #8a93a5; background: #fff; cursor: pointer; }
  .verdicts button[aria-pressed="true"] { background: #1d2330; color: #fff; }
  .nav { margin-top: 1rem; }
  .nav #next { background: #3d6df2; color: #fff; border-color: #3d6df2; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input[type=text] { width: 100%; box-sizing: border-box; padding: .4rem; font: inherit; }
  #status { min-height: 1.5rem; color: #a3262a; }
  #help { background: #fff; border: 1px solid #c9ced8; border-radius: 8px; padding: .5rem 1.5rem; margin: 1rem auto; max-width: 57rem; }
  kbd { border: 1px solid #8a93a5; border-radius: 3px; padding: 0 .3rem; background: #f0f0f0; color: #1d2330; }
</style>
</head>
<body>
<header>
  <h1>Which continuation of the prompt is better?</h1>
  <span id="progress" aria-live="polite">Loading…</span>
  <button id="help-toggle" type="button" aria-expanded="false" aria-controls="help">Help (?)</button>
</header>
<section id="help" hidden aria-label="Keyboard shortcuts">
  <p><kbd>1</kbd> / <kbd>2</kbd> choose the first or second completion (with more completions, press their numbers best first to rank them; <kbd>Backspace</kbd> clears the ranking; or drag them into order).
  <kbd>t</kbd> tie, <kbd>b</kbd> both bad, <kbd>s</kbd> skip. <kbd>Enter</kbd> next comparison (submits after the last). <kbd>?</kbd> this help.</p>
</section>
<main>
  <p id="status" role="status" aria-live="assertive"></p>
  <article id="item" hidden>
    <h2 id="prompt-label">Prompt</h2>
    <blockquote id="prompt" aria-labelledby="prompt-label"></blockquote>
    <p id="criteria" hidden></p>
    <p id="instructions"></p>
    <ol id="choices" class="choices" aria-label="Completions"></ol>
    <div class="verdicts" role="group" aria-label="No preference">
      <button type="button" data-verdict="tie" aria-pressed="false">Tie (t)</button>
      <button type="button" data-verdict="bothBad" aria-pressed="false">Both bad (b)</button>
      <button type="button" data-verdict="skip" aria-pressed="false">Skip (s)</button>
    </div>
    <label for="reason">Reason (optional)</label>
    <input id="reason" type="text" maxlength="2000" autocomplete="off">
    <p id="answer" aria-live="polite"></p>
    <div class="nav">
      <button id="back" type="button">Back</button>
      <button id="next" type="button">Next (Enter)</button>
    </div>
  </article>
  <section id="done" hidden><h2>Thank you!</h2><p id="done-text"></p></section>
</main>
<script>
(() => {
  const $ = id => document.getElementById(id);
  const token = new URLSearchParams(location.search).get('token') || '';
  const verdictNames = { tie: 'tie', bothBad: 'both bad', skip: 'skipped' };
  let batch = null, answers = [], at = 0, busy = false;

  const problemText = async response => {
    try { const p = await response.json(); return p.detail || p.title || response.statusText; } catch { return response.statusText; }
  };
  const say = text => { $('status').textContent = text; };
  const finish = text => { $('item').hidden = true; $('done').hidden = false; $('done-text').textContent = text; $('progress').textContent = ''; };

  function current() { return answers[at]; }
  function k() { return batch.comparisons[at].completions.length; }

  function describe(answer) {
    if (!answer) return 'Not answered yet.';
    if (answer.choice) return answer.choice === 'first' ? 'Your answer: completion 1 is better.' : answer.choice === 'second' ? 'Your answer: completion 2 is better.' : `Your answer: ${verdictNames[answer.choice]}.`;
    return answer.ranking.length === k() ? `Your ranking: ${answer.ranking.map(i => i + 1).join(' > ')}.` : `Ranking so far: ${answer.ranking.map(i => i + 1).join(' > ')}…`;
  }

  function render() {
    const c = batch.comparisons[at], a = current();
    $('progress').textContent = `Comparison ${at + 1} of ${batch.comparisons.length}`;
    $('prompt').textContent = c.prompt;
    $('instructions').textContent = c.completions.length === 2
      ? 'Press 1 or 2 (or click) for the better continuation.'
      : `Rank all ${c.completions.length} continuations: press their numbers best first, or drag them into order.`;
    const list = $('choices');
    list.replaceChildren();
    const order = a && a.ranking && c.completions.length > 2 && a.ranking.length === c.completions.length ? a.ranking : c.completions.map((_, i) => i);
    for (const i of order) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'choice';
      button.dataset.index = i;
      const rank = a && a.ranking ? a.ranking.indexOf(i) : -1;
      const chosen = c.completions.length === 2 && a && ((a.choice === 'first' && i === 0) || (a.choice === 'second' && i === 1));
      button.setAttribute('aria-pressed', String(chosen || rank >= 0));
      button.setAttribute('aria-label', `Completion ${i + 1}${rank >= 0 ? `, ranked ${rank + 1}` : ''}: ${c.completions[i]}`);
      if (rank >= 0) button.classList.add('ranked');
      const key = document.createElement('span'); key.className = 'key'; key.textContent = String(i + 1);
      const text = document.createElement('span'); text.textContent = ' ' + c.completions[i];
      button.append(key, text);
      if (rank >= 0) { const r = document.createElement('span'); r.className = 'rank'; r.textContent = `#${rank + 1}`; button.append(r); }
      button.addEventListener('click', () => pick(i));
      if (c.completions.length > 2) {
        li.draggable = true;
        li.addEventListener('dragstart', e => e.dataTransfer.setData('text/plain', String(i)));
        li.addEventListener('dragover', e => e.preventDefault());
        li.addEventListener('drop', e => { e.preventDefault(); moveBefore(Number(e.dataTransfer.getData('text/plain')), i, order); });
      }
      li.append(button);
      list.append(li);
    }
    document.querySelectorAll('[data-verdict]').forEach(b => b.setAttribute('aria-pressed', String(!!a && a.choice === b.dataset.verdict)));
    $('reason').value = a && a.reason ? a.reason : '';
    $('answer').textContent = describe(a);
    $('back').disabled = at === 0;
    $('next').textContent = at === batch.comparisons.length - 1 ? 'Submit (Enter)' : 'Next (Enter)';
  }

  function keepReason() { const r = $('reason').value.trim(); return r ? { reason: r } : {}; }

  function pick(i) {
    if (i >= k()) return;
    if (k() === 2) { answers[at] = { choice: i === 0 ? 'first' : 'second', ...keepReason() }; render(); return; }
    const ranking = current() && current().ranking && current().ranking.length < k() ? current().ranking : [];
    if (!ranking.includes(i)) ranking.push(i);
    if (ranking.length === k() - 1) ranking.push([...Array(k()).keys()].find(x => !ranking.includes(x)));
    answers[at] = { ranking, ...keepReason() };
    render();
  }

  function moveBefore(dragged, target, order) {
    const next = order.filter(x => x !== dragged);
    next.splice(next.indexOf(target), 0, dragged);
    answers[at] = { ranking: next, ...keepReason() };
    render();
  }

  function verdict(name) { answers[at] = { choice: name, ...keepReason() }; render(); }

  function complete(a) { return a && (a.choice || (a.ranking && a.ranking.length === k())); }

  async function advance() {
    if (busy) return;
    const a = current();
    if (!complete(a)) { say('Choose an answer first (or press s to skip).'); return; }
    const r = $('reason').value.trim();
    if (r) a.reason = r; else delete a.reason;
    say('');
    // Leave the reason box, so the next comparison's shortcut keys choose instead of typing.
    $('reason').blur();
    if (at < batch.comparisons.length - 1) { at++; render(); return; }
    busy = true;
    say('Submitting…');
    const body = { token, answers: batch.comparisons.map((c, i) => ({ comparisonId: c.id, ...answers[i] })) };
    const response = await fetch('label/submissions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    busy = false;
    if (!response.ok) { say(`Not recorded: ${await problemText(response)}`); return; }
    const result = await response.json();
    say('');
    finish(`${batch.comparisons.length} answers recorded${result.duplicate ? ' (already on file)' : ''}. ` +
      (result.signalled ? 'The batch is complete.' : `${result.submissions} of ${result.required} labelers have answered this batch.`));
  }

  function toggleHelp() { const h = $('help'); h.hidden = !h.hidden; $('help-toggle').setAttribute('aria-expanded', String(!h.hidden)); }

  document.addEventListener('keydown', e => {
    if (!batch || $('item').hidden || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Enter') { e.preventDefault(); advance(); return; }
    if (e.target === $('reason')) return;
    if (e.key === '?') { toggleHelp(); return; }
    if (/^[1-9]$/.test(e.key)) { pick(Number(e.key) - 1); return; }
    if (e.key === 't') verdict('tie');
    else if (e.key === 'b') verdict('bothBad');
    else if (e.key === 's') verdict('skip');
    else if (e.key === 'Backspace' && k() > 2) { answers[at] = undefined; render(); }
  });
  document.querySelectorAll('[data-verdict]').forEach(b => b.addEventListener('click', () => verdict(b.dataset.verdict)));
  $('next').addEventListener('click', advance);
  $('back').addEventListener('click', () => { if (at > 0) { at--; render(); } });
  $('help-toggle').addEventListener('click', toggleHelp);

  (async () => {
    const response = await fetch('label/batch?token=' + encodeURIComponent(token));
    if (!response.ok) { $('progress').textContent = ''; say(await problemText(response)); return; }
    batch = await response.json();
    if (batch.submitted) { finish('You have already answered this batch. Thank you!'); return; }
    if (batch.closed) { $('progress').textContent = ''; say('This batch is closed; nothing more is needed.'); return; }
    answers = batch.comparisons.map(() => undefined);
    if (batch.criteria.length) {
      $('criteria').textContent = 'Judge only by ' + batch.criteria.map(c => `${c.name} (${c.description})`).join('; ') + '. Other qualities are judged by the AI.';
      $('criteria').hidden = false;
    }
    $('item').hidden = false;
    render();
  })();
})();
</script>
</body>
</html>
""";
}
