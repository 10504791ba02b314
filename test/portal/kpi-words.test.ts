/**
 * The KPI page's quality words: the manager's send-backs of the accepted tasks ("sent back by the
 * manager, 3 times in all"), never called rounds of changes, and the rounds of changes the clients
 * asked for, within the included rounds and beyond them, with each currency's extra price apart.
 */
import { clientRoundsInWords, formatMoney, sentBackInWords } from '../../web/src/format';

test.each([
  [{ accepted: 0, reworked: 0, reviewRounds: 0 }, 'no task accepted'],
  [{ accepted: 1, reworked: 0, reviewRounds: 0 }, 'the 1 accepted task had not been sent back'],
  [{ accepted: 4, reworked: 0, reviewRounds: 0 }, 'none of the 4 accepted tasks had been sent back'],
  [{ accepted: 2, reworked: 1, reviewRounds: 1 }, '1 of 2 accepted tasks had been sent back by the manager, once'],
  [{ accepted: 1, reworked: 1, reviewRounds: 3 }, '1 of 1 accepted task had been sent back by the manager, 3 times in all'],
  [{ accepted: 5, reworked: 2, reviewRounds: 2 }, '2 of 5 accepted tasks had been sent back by the manager, 2 times in all'],
])('send-backs %j read %j', (tasks, words) => {
  expect(sentBackInWords(tasks)).toBe(words);
});

const eur = (amount: number) => formatMoney(amount, 'EUR');
const gbp = (amount: number) => formatMoney(amount, 'GBP');

test.each([
  [{ roundsUsed: 0, withinIncluded: 0, beyondIncluded: 0, extraRevenue: [] }, 'none asked for in the period'],
  [{ roundsUsed: 2, withinIncluded: 2, beyondIncluded: 0, extraRevenue: [] }, '2 within the included rounds, none beyond them'],
  [{ roundsUsed: 2, withinIncluded: 1, beyondIncluded: 1, extraRevenue: [{ currency: 'GBP', amount: 300 }] }, `1 within the included rounds, 1 beyond them at ${gbp(300)} extra`],
  [
    { roundsUsed: 3, withinIncluded: 0, beyondIncluded: 3, extraRevenue: [{ currency: 'EUR', amount: 200 }, { currency: 'GBP', amount: 1500.5 }] },
    `none within the included rounds, 3 beyond them at ${eur(200)} and ${gbp(1500.5)} extra`,
  ],
  // Beyond the included ones at no price the manager agreed: not "at  extra".
  [{ roundsUsed: 1, withinIncluded: 0, beyondIncluded: 1, extraRevenue: [] }, 'none within the included rounds, 1 beyond them at no extra price'],
])('client rounds %j read %j', (rounds, words) => {
  expect(clientRoundsInWords(rounds)).toBe(words);
});
