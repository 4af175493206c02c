import { expect } from 'chai';
import Koa from 'koa';
import { RequestState, useRequestState } from '../../core/http/requestState.js';
import type { AppState } from '../../core/http/types.js';
import { captureLogger } from '../support/captureLogger.js';

describe('RequestState', () => {
  it('makes the request logger on first use, tagged with the request id, and keeps one set in its place', () => {
    const { logger, lines } = captureLogger();
    const state = new RequestState(logger);
    state.requestId = 'req-1';
    expect(state.logIfMade).to.equal(undefined);
    state.log.info('first');
    expect(state.logIfMade).to.equal(state.log);
    expect(lines.at(-1)).to.include({ msg: 'first', reqId: 'req-1' });

    const other = captureLogger();
    state.log = other.logger;
    state.log.info('second');
    expect(other.lines.at(-1)).to.include({ msg: 'second' });
    expect(lines.map((line) => line.msg)).to.deep.equal(['first']);
  });

  it('is the ctx.state of every request of an app that uses it, a new one per request', () => {
    const app = new Koa<AppState>();
    useRequestState(app, captureLogger().logger);
    const fakeRequest = () => ({ headers: {}, socket: {}, url: '/', method: 'GET' }) as never;
    const fakeResponse = () => ({ getHeader: () => undefined, setHeader: () => undefined }) as never;
    const first = app.createContext(fakeRequest(), fakeResponse());
    const second = app.createContext(fakeRequest(), fakeResponse());
    expect(first.state).to.be.instanceOf(RequestState);
    expect(second.state).to.be.instanceOf(RequestState);
    expect(first.state).to.not.equal(second.state);
  });
});
