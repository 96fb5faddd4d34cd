/**
 * Survey comments that read as if customers wrote them (the flagship's shop window).
 *
 * A comment is written for one response from its tone (promoter, passive, detractor: from the NPS
 * answer), channel, region, plan and date. It talks about what such a customer would talk about
 * at that time, so the planted events of the example data show up in the report's themes:
 *
 *   - the Starter/Pro price rise of 2026-02-01 (announced in January): Starter and Pro customers,
 *     January to May 2026, mostly unhappy about it (customers.csv: the churn spike in 2026-02);
 *   - the summer update of the mobile app (5.2, 2026-07-15) that crashed on launch and logged
 *     people out, and its fix (5.2.3, 2026-10-01) (reviews.csv: the rating dip and partial recovery);
 *   - the support backlog of August 2026 (tickets.csv: two agents left, a routing change misfired);
 *   - EMEA's old onboarding and the new programme from 2026-05-01 (the case study);
 *   - long holds and transfers on the phone (the high-effort channel);
 *   - team workspaces (launched 2026-01), and everyday topics: outages and dashboard timeouts,
 *     support, onboarding, price and value, reports and exports, integrations, docs, the UI.
 *
 * Texts are assembled from sentence patterns with slots (minutes on hold, days waited, features,
 * teams), one to three sentences, sometimes a short remark alone; now and then with a typo, a
 * missing apostrophe or no capital, as people type. No pattern needs HTML escaping (< > & " and
 * newlines are checked: the few comments that exercise escaping are placed by generate.ts).
 *
 * Everything here draws from its own seeded stream (COMMENT_SEED), so the comments can change
 * without moving any score, date or segment of the data: generate.ts keeps consuming the draws the
 * old template comments used from its main stream.
 */
import type { Rng } from './rng.js';

export const COMMENT_SEED = 0xc033_e215;

export type Tone = 'promoter' | 'passive' | 'detractor';

export interface CommentContext {
  tone: Tone;
  channel: 'email' | 'chat' | 'phone' | 'in-app';
  region: 'North America' | 'EMEA' | 'APAC' | 'LATAM';
  plan: 'Starter' | 'Pro' | 'Enterprise';
  /** submission time, ms since the epoch (UTC) */
  ms: number;
}

const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
/** The events the comments refer to (see the data README). */
export const EVENTS = {
  priceAnnounced: day(2026, 1, 6),
  priceRise: day(2026, 2, 1),
  priceTalkEnds: day(2026, 6, 1),
  workspaces: day(2026, 1, 12),
  mobile52: day(2026, 7, 15),
  mobile523: day(2026, 10, 1),
  backlogStart: day(2026, 8, 1),
  backlogEnd: day(2026, 9, 12),
  emeaProgramme: day(2026, 5, 1),
} as const;

// ---------------------------------------------------------------------------------------------
// Slots: {name} in a pattern is replaced by one of these (drawn per use)
// ---------------------------------------------------------------------------------------------

const SLOTS: Record<string, readonly string[]> = {
  holdMin: ['15', '20', '25', '30', '35', '40', '45', '50', '55'],
  shortHold: ['two', 'three', 'five', 'a couple of'],
  days: ['two', 'three', 'four', 'five', 'six'],
  weeks: ['two', 'three', 'a couple of'],
  feature: ['the dashboards', 'the reports page', 'CSV exports', 'the Salesforce sync', 'SSO', 'the API', 'alerts', 'the audit log', 'scheduled reports', 'the Slack integration'],
  report: ['the monthly usage report', 'our weekly pipeline dashboard', 'the SLA report', 'the exec dashboard', 'the billing export', 'a board report'],
  team: ['our finance people', 'the ops folks', 'our support leads', 'two of our admins', 'the sales managers', 'our analysts', 'everyone here', 'our account managers', 'the CS team'],
  agent: ['Priya', 'Marco', 'Jen', 'Tomasz', 'Aisha', 'Luis', 'Mei', 'Daniel', 'Sofia', 'Kwame'],
  when: ['on Monday morning', 'during month-end close', 'right before a client demo', 'in the middle of our busiest hour', 'twice last week', 'on a Friday afternoon', 'during our quarterly review'],
  timeout: ['times out', 'spins forever and then times out', 'throws a 504', 'just hangs', 'takes minutes to load'],
  pricePct: ['10%', 'ten percent'],
  competitor: ['other tools', 'a couple of competitors', 'the alternatives we looked at', 'a cheaper competitor'],
  integration: ['Salesforce', 'HubSpot', 'Slack', 'Zendesk', 'Jira', 'Okta', 'BigQuery'],
  docsThing: ['the API reference', 'the help center', 'the setup guide', 'the knowledge base', 'the webhook guide'],
  phoneIssue: ['a billing question', 'an SSO problem', 'a locked account', 'a data import', 'an invoice question'],
  transfers: ['twice', 'three times', 'to three different people', 'back and forth'],
  mobileThing: ['on my iPhone', 'on Android', 'on the iPad', 'on my phone', 'on both our Android phones'],
  city: ['Berlin', 'Paris', 'Madrid', 'Amsterdam', 'Dublin', 'Milan', 'Stockholm', 'Warsaw'],
  language: ['German', 'French', 'Spanish', 'Italian', 'Dutch', 'Polish'],
  years: ['two years', 'three years', 'about a year', 'four years', 'almost five years', 'a year and a half'],
  others: ['two other companies', 'a friend at another startup', 'our sister company', 'a few people in my network', 'our agency partners'],
  before: ['a spreadsheet mess', 'an in-house tool', 'a much clunkier tool', 'three different tools', 'a legacy system'],
  ago: ['last year', 'two years ago', 'in the spring', 'a few months back'],
  offices: ['two', 'three', 'four', 'five'],
  since: ['2021', '2022', '2023', '2024', 'the early days'],
  months: ['two months', 'three months', 'a couple of months', 'six weeks'],
};

// ---------------------------------------------------------------------------------------------
// Sentence patterns by topic and tone
// ---------------------------------------------------------------------------------------------

type Patterns = Partial<Record<Tone, readonly string[]>>;

const TOPICS: Record<string, Patterns> = {
  reliability: {
    promoter: [
      "Can't remember the last time we had an outage.",
      'Uptime has been solid all year, which is what matters most to us.',
      'Rock solid. We use {feature} all day and have had no issues.',
      'The platform just works, and that is exactly what we pay for.',
      'Had one short blip in the spring but the status page was updated within minutes.',
      'Fast and reliable, {feature} never once let us down this year.',
      'We run {report} off it every day and it has not missed once.',
      'Stable and quick, even at month-end when everyone is in it at once.',
    ],
    passive: [
      'Mostly stable, but every now and then {report} {timeout}.',
      'There was an outage {when} and it took a while before the status page said anything.',
      'Performance is ok most days. Big workspaces get slow in the afternoon (US time).',
      'Reliability is fine apart from the odd dashboard timeout.',
      '{report} {timeout} when the date range is longer than a quarter.',
      'A couple of short outages this quarter, nothing dramatic, but we noticed.',
    ],
    detractor: [
      'Another outage {when}. No warning, no status update for almost an hour.',
      'The dashboard {timeout} several times a week. We have stopped trusting it for live numbers.',
      '{report} {timeout} every single time I open it.',
      'We had two outages in one week and the incident report still has no root cause.',
      'Status page said all systems operational while nobody on our side could log in.',
      'Dashboards keep timing out for anything bigger than a month of data. This is the core of the product.',
      'Lost half a morning because the {integration} sync stopped and nobody told us.',
    ],
  },
  support: {
    promoter: [
      'Support is excellent. {agent} sorted out our issue in one reply.',
      'Got a real answer from a real person within minutes, not a canned response.',
      'Chat support is fast and they actually know the product.',
      'Shout out to {agent} on the support team, went above and beyond for us.',
      'Every ticket we raised this quarter was solved the same day.',
      'The support team explained the problem instead of just closing the ticket. Appreciated.',
      '{agent} from support called us back {when} and fixed it on the spot.',
      'Support helped {team} with {feature} and followed up a week later to check. Great service.',
      'Quick, friendly support every time we needed it.',
      'Support answered on chat in under {shortHold} minutes, and knew exactly what to do.',
      'Really impressed with how {agent} handled our {phoneIssue}.',
    ],
    passive: [
      'Support is helpful once you reach the right person, getting there takes a while.',
      'The answer was right but it took a day to arrive.',
      'Chat agents are friendly but often have to escalate to someone else.',
      'Took a couple of back and forths before they understood what I was asking.',
      'Support is ok. First reply is usually a link to a help article I already read.',
    ],
    detractor: [
      'Waited {days} days for a reply to a high priority ticket.',
      'Support keeps closing my ticket without fixing anything.',
      'I had to explain the same problem to three different agents.',
      'Every reply is copy-pasted and ignores half of what I wrote.',
      'Our ticket was marked resolved but the problem is still there. Reopened it {days} times now.',
      'Support is slow and the answers are generic. We pay for a premium plan.',
    ],
  },
  backlog: {
    passive: [
      'Support was much slower than usual in August, took {days} days to hear back.',
      'Response times dropped off a cliff over the summer. Seems better now.',
      'Our tickets sat unanswered for days in August. They did apologise.',
    ],
    detractor: [
      'Waited {days} days for a first reply in August. That has never happened before.',
      'Support basically disappeared in August. Tickets sat untouched for a week.',
      'Email support took {days} days to answer an urgent ticket. Unacceptable for a paid plan.',
      'Nobody answered our ticket for {days} days and then it got routed to the wrong team.',
      'The support queue is a mess since the summer, we get no replies for days.',
    ],
  },
  phone: {
    promoter: [
      'Called about {phoneIssue} and had it fixed in one call, no transfers.',
      'Short hold, {shortHold} minutes maybe, and a helpful person on the line.',
      'Phone support was great, {agent} walked me through the whole thing.',
    ],
    passive: [
      'The agent was helpful but I was on hold for {holdMin} minutes first.',
      'Had to call twice about {phoneIssue}, but it got sorted in the end.',
      'The phone menu is confusing. Once I got a person it was fine.',
      'Got transferred {transfers} but the last person fixed it.',
    ],
    detractor: [
      '{holdMin} minutes on hold before anyone picked up.',
      'Called about {phoneIssue}, got transferred {transfers} and had to repeat my account number every time.',
      'The call dropped after a {holdMin} minute hold and nobody called back.',
      'Phone support is a maze of menus and hold music.',
      'On hold for {holdMin} minutes, then told to send an email instead.',
      'Why does a simple {phoneIssue} need {transfers} transfers?',
    ],
  },
  onboarding: {
    promoter: [
      'Onboarding was smooth, the setup guide covered everything.',
      'Our account manager got the team of {teamSize} up and running in two days.',
      'Setting up the first workspace took less than an hour.',
      'The onboarding checklist made it really easy to get going.',
      'The kickoff call was genuinely useful, not just a sales pitch.',
    ],
    passive: [
      'Onboarding was fine but took longer than we expected.',
      'Setup was ok once we found the right guide.',
      'The onboarding calls were useful but a bit generic for our use case.',
      'Getting {team} set up took a few tries.',
    ],
    detractor: [
      'Onboarding was confusing and nobody followed up after the kickoff call.',
      'It took us {weeks} weeks to get set up properly.',
      "The onboarding material is outdated, half the screenshots don't match the app.",
      'We were left to figure out the setup on our own.',
    ],
  },
  emeaBefore: {
    promoter: ['Onboarding in our region was slow, but the product made up for it.', 'Local onboarding could be better, the rest is great.'],
    passive: [
      'Onboarding for EU teams feels like an afterthought.',
      'The onboarding sessions were in US hours, which was awkward from {city}.',
      'Took a while to get our EU workspace and data residency set up.',
      'Would be nice to have onboarding material in {language}.',
    ],
    detractor: [
      'Onboarding in Europe is a mess: no local contact and nothing in {language}.',
      'Our rollout in {city} stalled because nobody could help during our working hours.',
      'The EU data residency setup took {weeks} weeks and several escalations.',
      "We still don't have a proper onboarding contact for our region.",
      'The onboarding calls are at 11pm our time. Seriously?',
    ],
  },
  emeaAfter: {
    promoter: [
      'The new onboarding programme made a huge difference for our team in {city}.',
      'Finally a local onboarding specialist who knows the EU setup.',
      'The new onboarding sessions in our time zone were excellent.',
      'Our second office in {city} was onboarded in a week thanks to the new programme.',
      'The new onboarding track sorted out our data residency setup quickly.',
    ],
    passive: [
      'The new onboarding programme is a big improvement, still a few gaps.',
      'Better onboarding than last year, though the material is English only.',
      'New onboarding is good, the follow-up could be tighter.',
    ],
    detractor: [
      'Even with the new onboarding programme we waited weeks for setup.',
      'The new onboarding looks better on paper but our contact keeps changing.',
      "The new onboarding programme hasn't fixed our data residency issues.",
    ],
  },
  priceRise: {
    promoter: [
      'Not thrilled about the price increase but the product is still worth it for us.',
      'Prices went up {pricePct} this year. Still good value compared to {competitor}.',
    ],
    passive: [
      'The {pricePct} price increase in February was a surprise. We are staying for now.',
      'Price went up {pricePct} and nothing new for our plan. Hard to explain to {team}.',
      'The price increase came with very little notice. Still reviewing our options.',
      "Fine product, but after the price rise it's no longer the cheap option.",
    ],
    detractor: [
      'A {pricePct} price increase with a month of notice is not ok.',
      'The price increase in February pushed us to look at {competitor}.',
      'We got a {pricePct} price hike and not a single new feature on the Starter plan.',
      'Prices up {pricePct} while the dashboards still time out. Not renewing at this price.',
      'The price rise was hard to justify to {team}, and we are now evaluating {competitor}.',
      'Paying {pricePct} more since February for the same product. Disappointed.',
    ],
  },
  value: {
    promoter: ['Good value for what we get.', 'Pricing is fair and transparent.', 'The {plan} plan pays for itself in saved admin time.', 'Worth every cent for a team of {teamSize}.', 'Cheaper than {competitor} and does more.', 'Fair price for {report} alone.'],
    passive: [
      'On the expensive side, but the features mostly justify it.',
      'Pricing is ok, the jump to the next tier is steep though.',
      'Would love a cheaper plan for small teams.',
      'Per-seat pricing adds up quickly once more people need access.',
    ],
    detractor: [
      'Too expensive for what it does.',
      'Key features are locked behind the Enterprise tier.',
      'We pay more than we would with {competitor} for the same thing.',
      'Per-seat pricing makes no sense for occasional users.',
    ],
  },
  mobileCrash: {
    promoter: ['The mobile app has been crashing since the summer update, the web app is still great though.'],
    passive: [
      'Since the summer update the mobile app crashes {mobileThing} about half the time.',
      'The app keeps logging me out since 5.2. I just use the web version for now.',
      'Web is fine, the mobile app has been unstable since the July update.',
      'Mobile app crashes on launch every other day since the update.',
    ],
    detractor: [
      'The mobile app crashes on launch since the 5.2 update. Useless {mobileThing}.',
      'Since the summer update the app logs me out every few minutes.',
      'The new mobile version is broken. Crashes when I open a dashboard {mobileThing}.',
      'App has been crashing for weeks after the update and support says a fix is coming. Still waiting.',
      "Our field team can't use the mobile app since the July update, it crashes on launch.",
      'The summer update broke the mobile app for us. Reinstalled twice, still crashes.',
    ],
  },
  mobileFixed: {
    promoter: [
      'The latest app update fixed the crashes, finally.',
      'Glad the mobile app works again since the October update.',
      'App is stable again after 5.2.3. Thanks for fixing it.',
    ],
    passive: [
      'The mobile app is better since the October fix, still the odd logout.',
      '5.2.3 fixed most of the crashes. Took way too long though.',
      'App no longer crashes on launch, but it lost my saved filters.',
    ],
    detractor: [
      'They say the crashes are fixed but the app still logs me out {mobileThing}.',
      'The October fix came three months too late for us.',
    ],
  },
  workspaces: {
    promoter: [
      'Team workspaces are exactly what we needed, finally a space of its own for {team}.',
      'Love the new team workspaces. We added {teamSize} seats since January.',
      'The team workspaces made rolling out to {team} much easier.',
    ],
    passive: [
      'Team workspaces are nice but permissions are confusing.',
      'Workspaces are a good start, would like to share dashboards between them.',
    ],
  },
  reports: {
    promoter: [
      'The reports page is great, we open it every morning.',
      'Scheduled reports save me hours every week.',
      'Exports are quick and the CSVs are clean.',
      '{report} is the first thing we open every Monday.',
      'Building {report} took minutes instead of a day in spreadsheets.',
      'We replaced three spreadsheets with {report}.',
      'Being able to schedule {report} to {team} is a huge time saver.',
    ],
    passive: [
      'Reports are useful but hard to customise.',
      'Would like more control over {report}.',
      'CSV exports work but the column names change between versions.',
    ],
    detractor: [
      'Exports break as soon as there are more than a few thousand rows.',
      '{report} shows different numbers than the billing page.',
      'Scheduled reports keep arriving empty.',
    ],
  },
  integrations: {
    promoter: ['The {integration} integration works really well.', 'Connecting {integration} took five minutes.', 'The API is clean and well designed.', 'The {integration} sync just works, a big win for {team}.', 'We pushed our {integration} data in on day one without help.'],
    passive: [
      'The {integration} integration is ok but only syncs once an hour.',
      'Would like a native {integration} integration instead of going through webhooks.',
      'The API works but rate limits are tight for bigger accounts.',
    ],
    detractor: [
      'The {integration} sync breaks every few weeks and we only find out from angry users.',
      'SSO with {integration} took us weeks to get working.',
      'API keeps returning errors for requests that worked yesterday.',
    ],
  },
  docs: {
    promoter: ['The docs are thorough and the examples actually run.', 'Found the answer in {docsThing} in seconds.', '{docsThing} is really well written.', 'Good docs, clear examples for {integration}.'],
    passive: ['{docsThing} covers the basics but not the edge cases.', 'Some docs pages are out of date.', '{docsThing} is useful but hard to search.'],
    detractor: ["{docsThing} is wrong in several places.", "Couldn't find anything useful in {docsThing}."],
  },
  ui: {
    promoter: [
      'Clean interface, easy to find things.',
      'The interface is intuitive, even for our non-technical staff.',
      'Search finally works the way I expect.',
      'The redesigned dashboard is a real improvement.',
      'Easy enough that {team} picked it up without training.',
      'Nice, clean design, and setting up {feature} is easy.',
      'Love how fast it is to build a new dashboard.',
    ],
    passive: ['Some settings are buried three menus deep.', 'The new layout takes getting used to.', 'Dark mode please!', 'Filters reset every time I switch pages, a bit annoying.'],
    detractor: ['The new UI hides features we use every day.', 'Way too many clicks to do simple things.', 'The layout keeps changing and I keep getting asked by {team} where things went.'],
  },
};

/** Extra sentences that give context (who is writing, how long they have been a customer). */
const CONTEXT: Record<Tone, readonly string[]> = {
  promoter: [
    "We've been customers for {years}.",
    'We are {teamSize} people on the {plan} plan.',
    'Recommended it to {others} already.',
    'Used every day by {team}.',
    'Switched from {before} {ago}, no regrets.',
    'Renewed for another year without a second thought.',
    'Using it across {offices} offices now.',
    'Would happily be a reference customer.',
    'It has paid for itself many times over.',
    'Been using it since {since}.',
  ],
  passive: [
    'We are {teamSize} people on the {plan} plan.',
    'Overall it does the job.',
    'Still happy to stay for now.',
    "We'll see how the next release goes.",
    'Would be a 9 if {feature} worked properly.',
    'Customers since {since}, it used to feel faster.',
    'Our renewal is coming up and we will look at {competitor} too.',
    'Mostly it is good, just not great.',
    'Happy enough, not excited.',
    'Mixed feelings among {team}.',
  ],
  detractor: [
    'We are {teamSize} people on the {plan} plan and this is not what we signed up for.',
    'Our renewal is in {months} and we are looking around.',
    'I have raised this with our account manager already.',
    'This is the third survey where I mention it.',
    'Seriously considering {competitor}.',
    'If this does not improve we will not renew.',
    'Even {team} stopped using it for anything important.',
    'Customers since {since} and it has never been this bad.',
    'Escalated to our account manager {when}.',
    'Nobody seems to read these surveys.',
  ],
};

/** How some people start (then the first sentence, its capital lowered). */
const LEADS = ['Honestly, ', 'Overall ', 'To be fair, ', 'tbh ', 'Well, ', 'As an admin: ', 'Quick note: ', 'FWIW '];

/** A comment of a few words, alone. */
const SHORT: Record<Tone, readonly string[]> = {
  promoter: ['Great product!', 'Love it.', 'Works great', 'Very happy with it.', 'No complaints.', 'Keep it up', 'Excellent support', 'does what it says', 'Best tool we use.', 'Solid.', 'great team, great product', 'Super easy to use', 'Really good', 'Brilliant, thanks', 'Happy customer', 'All good here', 'Top notch', 'Very reliable', 'Good stuff', '10/10'],
  passive: ['It is ok.', 'Does the job.', 'Fine for now', 'Could be better.', 'Mostly ok', 'Decent, a few rough edges.', 'Average.', 'no strong feelings', 'Good but pricey.', 'ok I guess', 'Works, mostly.', 'Nothing special', 'Room for improvement', 'Not bad'],
  detractor: ['Too slow.', 'Not happy.', 'Expensive and buggy.', 'Support is useless', 'Disappointed.', 'Fix the dashboards.', 'Not worth the money.', 'Frustrating.', 'Way too many outages', 'Getting worse', 'Very poor lately', 'Unreliable.', 'Meh.'],
};

// ---------------------------------------------------------------------------------------------
// Choosing topics
// ---------------------------------------------------------------------------------------------

const BASE_WEIGHT: Record<Tone, Record<string, number>> = {
  promoter: { reliability: 10, support: 18, onboarding: 9, value: 8, reports: 10, integrations: 8, docs: 5, ui: 14 },
  passive: { reliability: 15, support: 14, onboarding: 9, value: 12, reports: 9, integrations: 8, docs: 6, ui: 10 },
  detractor: { reliability: 20, support: 18, onboarding: 8, value: 11, reports: 7, integrations: 7, docs: 4, ui: 7 },
};

/** Topic weights for one response: the base mix plus the events going on at its time and place. */
export function topicWeights(c: CommentContext): Record<string, number> {
  const w: Record<string, number> = { ...BASE_WEIGHT[c.tone] };
  const { ms, tone } = c;
  if (c.channel === 'phone') w.phone = tone === 'promoter' ? 14 : 32;
  if (c.region === 'EMEA') {
    if (ms < EVENTS.emeaProgramme) w.emeaBefore = tone === 'promoter' ? 6 : 30;
    else w.emeaAfter = tone === 'detractor' ? 10 : 30;
  }
  if (c.plan !== 'Enterprise' && ms >= EVENTS.priceAnnounced && ms < EVENTS.priceTalkEnds) {
    const fresh = ms < Date.UTC(2026, 3, 1); // loudest around the rise itself
    w.priceRise = (tone === 'detractor' ? 40 : tone === 'passive' ? 24 : 5) * (fresh ? 1 : 0.45);
  }
  if (ms >= EVENTS.mobile52 && ms < EVENTS.mobile523) w.mobileCrash = tone === 'detractor' ? 26 : tone === 'passive' ? 14 : 2;
  if (ms >= EVENTS.mobile523) w.mobileFixed = tone === 'detractor' ? 3 : 8;
  if (ms >= EVENTS.backlogStart && ms < EVENTS.backlogEnd && tone !== 'promoter') w.backlog = tone === 'detractor' ? 30 : 14;
  if (ms >= EVENTS.workspaces && c.plan !== 'Starter' && tone !== 'detractor') w.workspaces = tone === 'promoter' ? 10 : 5;
  return w;
}

function pickWeighted(rng: Rng, weights: Record<string, number>, except?: string): string {
  const keys = Object.keys(weights).filter((k) => k !== except && weights[k]! > 0);
  const total = keys.reduce((s, k) => s + weights[k]!, 0);
  let r = rng.next() * total;
  for (const k of keys) {
    r -= weights[k]!;
    if (r < 0) return k;
  }
  return keys[keys.length - 1]!;
}

/** Seats a customer of each plan has (see the data README: Starter 1–5, Pro 10–30, Enterprise 60–300). */
const TEAM_SIZE: Record<CommentContext['plan'], readonly string[]> = {
  Starter: ['3', '4', '5'],
  Pro: ['10', '12', '15', '18', '20', '25', '30'],
  Enterprise: ['80', '120', '150', '200', '250'],
};

function fillSlots(rng: Rng, pattern: string, c: CommentContext): string {
  const s = pattern.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'plan' ? c.plan : name === 'teamSize' ? rng.pick(TEAM_SIZE[c.plan]) : rng.pick(SLOTS[name]!)));
  return s[0]!.toUpperCase() + s.slice(1);
}

/** One sentence on a topic in the response's tone (the nearest tone the topic has, for the few that lack one). */
function sentence(rng: Rng, topic: string, c: CommentContext): string {
  const byTone = TOPICS[topic]!;
  const list = byTone[c.tone] ?? byTone.passive ?? byTone.detractor ?? byTone.promoter!;
  return fillSlots(rng, rng.pick(list), c);
}

// ---------------------------------------------------------------------------------------------
// How people type
// ---------------------------------------------------------------------------------------------

const CONTRACTIONS: [RegExp, string][] = [
  [/\bdon't\b/, 'dont'],
  [/\bcan't\b/, 'cant'],
  [/\bit's\b/, 'its'],
  [/\bdoesn't\b/, 'doesnt'],
  [/\bhasn't\b/, 'hasnt'],
  [/\bwe've\b/i, 'weve'],
  [/\bI'm\b/, 'Im'],
];
const MISSPELLINGS: [RegExp, string][] = [
  [/\breceive\b/, 'recieve'],
  [/\bdefinitely\b/, 'definately'],
  [/\bseparate\b/, 'seperate'],
  [/\bthe\b/, 'teh'],
  [/\bsupport\b/, 'suport'],
  [/\bwaited\b/, 'waitied'],
  [/\bdashboard\b/, 'dashbaord'],
  [/\bexpensive\b/, 'expensve'],
  [/\buntil\b/, 'untill'],
  [/\bbecause\b/, 'becuase'],
];

/** Sometimes a typo, a missing apostrophe, no capital or no final full stop. */
function asTyped(rng: Rng, text: string): string {
  let t = text;
  const r = rng.next();
  if (r < 0.05) {
    const found = MISSPELLINGS.filter(([re]) => re.test(t));
    if (found.length) {
      const [re, to] = rng.pick(found);
      t = t.replace(re, to);
    }
  } else if (r < 0.11) {
    const found = CONTRACTIONS.filter(([re]) => re.test(t));
    if (found.length) {
      const [re, to] = rng.pick(found);
      t = t.replace(re, to);
    }
  } else if (r < 0.17) {
    t = t[0]!.toLowerCase() + t.slice(1);
  }
  if (rng.chance(0.12)) t = t.replace(/\.$/, '');
  if (rng.chance(0.03)) t = t.replace(/\.$/, '!!');
  return t;
}

// ---------------------------------------------------------------------------------------------
// A comment
// ---------------------------------------------------------------------------------------------

/** The comment one customer writes: 1–3 sentences on what matters to them at that moment. */
export function writeComment(rng: Rng, c: CommentContext): string {
  const shape = rng.next();
  if (shape < 0.1) return asTyped(rng, rng.pick(SHORT[c.tone]));
  const weights = topicWeights(c);
  const first = pickWeighted(rng, weights);
  const used = new Set([first]);
  const opening = sentence(rng, first, c);
  const parts = [rng.chance(0.08) ? rng.pick(LEADS) + (/^[A-Z][a-z]/.test(opening) ? opening[0]!.toLowerCase() + opening.slice(1) : opening) : opening];
  // a second thought (another topic, or who is writing), and for some a third
  // (never the same topic twice in one comment)
  const more = () => {
    if (!rng.chance(0.75)) return fillSlots(rng, rng.pick(CONTEXT[c.tone]), c);
    const topic = pickWeighted(rng, Object.fromEntries(Object.entries(weights).filter(([k]) => !used.has(k))));
    used.add(topic);
    return sentence(rng, topic, c);
  };
  if (shape >= 0.5) parts.push(more());
  if (shape >= 0.86) parts.push(more());
  const unique = parts.filter((p, i) => parts.indexOf(p) === i);
  return asTyped(rng, unique.join(' '));
}

/** Every pattern, short remark and slot value (for the escaping guard). */
export function allCommentText(): string[] {
  const out: string[] = [];
  for (const byTone of Object.values(TOPICS)) for (const list of Object.values(byTone)) out.push(...(list ?? []));
  for (const group of [CONTEXT, SHORT]) for (const list of Object.values(group)) out.push(...list);
  for (const values of [...Object.values(SLOTS), ...Object.values(TEAM_SIZE), LEADS]) out.push(...values);
  return out;
}
