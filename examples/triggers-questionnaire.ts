/**
 * Triggers' example, on celeriac: a questionnaire session fires `firstPageReceived` (with the
 * page's responses) and, later, `questionnaireComplete`. Once both fired in the session,
 * `t_importSubject` runs ImportSubject with the first page's responses; its returned mapping
 * (`{ subjectId }`) fires `t_importSubject`, which runs `t_notifyResearcher` (cascading). A session
 * is the key events are fired with; other sessions are independent.
 */
import { currentTrigger, type Celeriac } from '../src/index.js';

/** What the example returns: the imported subject, who was notified, and every instance's status. */
export interface QuestionnaireOutcome {
  subjectId: string;
  notified: string;
  statuses: Record<string, string>;
}

/** Register the tasks and the triggers on `app` (a worker must be running), then play one session. */
export async function runQuestionnaireTriggers(app: Celeriac, session: string, log: (line: string) => void = () => undefined): Promise<QuestionnaireOutcome> {
  let notified!: (message: string) => void;
  const done = new Promise<string>((resolve) => (notified = resolve));
  app.task('ImportSubject', () => {
    const { triggers } = currentTrigger()!;
    const { responses } = triggers['firstPageReceived'] as { responses: { name: string; age: number } };
    const subjectId = `SUBJ-${responses.name.toUpperCase()}-${responses.age}`;
    log(`ImportSubject: ${responses.name} (${responses.age}) → ${subjectId}`);
    return { subjectId };
  });
  app.task('NotifyResearcher', () => {
    const { subjectId } = currentTrigger()!.triggers['t_importSubject'] as { subjectId: string };
    const message = `new subject ${subjectId}`;
    log(`NotifyResearcher: ${message}`);
    notified(message);
    return { notified: true };
  });
  app.triggers.configure({
    t_importSubject: { after: ['firstPageReceived', 'questionnaireComplete'], run: 'ImportSubject', withParams: { responses: { firstPageReceived: 'responses' } } },
    t_notifyResearcher: { after: ['t_importSubject'], run: 'NotifyResearcher' },
  });
  log('fire firstPageReceived (t_importSubject stays unstarted)');
  await app.fire('firstPageReceived', { responses: { name: 'ada', age: 36 } }, { key: session });
  log('fire questionnaireComplete (t_importSubject starts)');
  await app.fire('questionnaireComplete', {}, { key: session });
  const message = await done;
  let instances = await app.triggers.instances(session);
  for (let i = 0; i < 200 && instances.some((instance) => instance.status !== 'finished'); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    instances = await app.triggers.instances(session);
  }
  const subject = instances.find((instance) => instance.trigger === 't_importSubject')?.result as { subjectId: string };
  return { subjectId: subject.subjectId, notified: message, statuses: Object.fromEntries(instances.map((instance) => [instance.trigger, instance.status])) };
}
