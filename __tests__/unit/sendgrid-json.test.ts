import { describe, expect, it } from '@jest/globals'
import { describeErrorBody } from '../../src/sendgrid/answers.js'

describe('describeErrorBody', () => {
  it.each([
    [
      'an errors list with fields',
      '{"errors":[{"field":"user_time_zone","message":"invalid"},{"field":null,"message":"also bad"}]}',
      'user_time_zone: invalid; also bad'
    ],
    [
      'an errors list with help links',
      '{"errors":[{"field":null,"message":"access forbidden","help":"https://x"}]}',
      'access forbidden'
    ],
    ['an error string', '{"error":"Segment does not exist."}', 'Segment does not exist.'],
    ['a message string', '{"message":"Too many requests"}', 'Too many requests'],
    [
      'an HTML page with a title',
      '<html><head><title> 502 Bad Gateway </title></head></html>',
      'an HTML page titled "502 Bad Gateway"'
    ],
    ['an HTML page without a title', '<!doctype html><p>oops</p>', 'an HTML page'],
    ['plain text', 'upstream\n  connect error', 'upstream connect error']
  ])('reads %s', (_shape, body, expected) => {
    expect(describeErrorBody(body)).toBe(expected)
  })

  it.each([
    ['empty', ''],
    ['white space', '  \n'],
    ['JSON with nothing useful', '{"errors":[]}'],
    ['a JSON array', '[1,2]'],
    ['JSON null', 'null']
  ])('says nothing for %s', (_shape, body) => {
    expect(describeErrorBody(body)).toBeNull()
  })

  it('shortens long bodies', () => {
    const text = describeErrorBody('x'.repeat(5000)) ?? ''
    expect(text.length).toBe(300)
    expect(text.endsWith('…')).toBe(true)
  })

  it('shows an odd entry of an errors list as JSON rather than dropping it', () => {
    expect(describeErrorBody('{"errors":[{"code":7}]}')).toBe('{"code":7}')
  })

  it('keeps a body of exactly 300 characters whole', () => {
    expect(describeErrorBody('y'.repeat(300))).toBe('y'.repeat(300))
  })

  it('skips entries that are not objects, and names a field only when it is text', () => {
    expect(
      describeErrorBody('{"errors":["oops",{"field":7,"message":"a"},{"field":"b","message":"c"}]}')
    ).toBe('a; b: c')
  })

  it('reads the title of an HTML page whose title tag has attributes', () => {
    expect(describeErrorBody('<html><title lang="en"> Bad Gateway </title></html>')).toBe(
      'an HTML page titled "Bad Gateway"'
    )
  })
})
