// Every workflow the README shows is a story's: its step's `with:` is, input for input, the first
// run's inputs of the story its section names (the Quick start's: quick-start, what `npm run demo`
// runs), the API key and expressions aside. Only a story's named speed-ups come on top.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { projectRoot } from '../../tools/run-action.js'
import { findScenario, readScenario } from '../../tools/simulator/scenario.js'

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')

interface Step {
  uses?: string
  with?: Record<string, unknown>
}

/** Each README section (`##` or `###`) with the action's steps its workflows hold. */
const sections = readme
  .split(/\n#{2,3} /)
  .slice(1)
  .map((text) => {
    const title = text.split('\n')[0]
    const steps = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap(([, block]) => {
      const workflow = parse(block) as { jobs?: Record<string, { steps?: Step[] }> }
      return Object.values(workflow.jobs ?? {}).flatMap((job) =>
        (job.steps ?? []).filter((step) => step.uses?.includes('refresh-segment'))
      )
    })
    const story =
      title === 'Quick start' ? 'quick-start' : /`npm run demo -- ([a-z-]+)`/.exec(text)?.[1]
    return { title, steps, story }
  })
  .filter((section) => section.steps.length > 0)

describe("the README's workflows", () => {
  it('are each in a section that names the story running it', () => {
    expect(sections.map((s) => s.title)).toContain('Quick start')
    expect(sections.length).toBeGreaterThanOrEqual(6)
    for (const { title, steps, story } of sections) {
      expect({ title, story, steps: steps.length }).toEqual({
        title,
        story: expect.any(String),
        steps: 1
      })
    }
  })

  it.each(sections.map((s) => [s.title, s] as const))(
    '%s: the story holds the step’s with: exactly, and adds only its speed-ups',
    (_title, { steps: [step], story }) => {
      const file = findScenario(story!)
      expect(file).not.toBeNull()
      const [first] = readScenario(file!).runs ?? []
      const shown = Object.fromEntries(
        Object.entries(step.with ?? {})
          .filter(([name]) => name !== 'api-key')
          .map(([name, value]) => [name, String(value).replace(/\n$/, '')])
      )
      expect(Object.keys(first.inputs).sort()).toEqual(Object.keys(shown).sort())
      for (const [name, value] of Object.entries(shown)) {
        // An expression (a step's output, a workflow input) is a concrete value in the story.
        if (value.includes('${{')) expect(first.inputs[name]).not.toBe('')
        else expect({ name, value: first.inputs[name] }).toEqual({ name, value })
      }
      for (const name of Object.keys(first.speedUps ?? {})) expect(shown).not.toHaveProperty(name)
    }
  )

  it('run the Quick start as the story `npm run demo` runs with no name', () => {
    expect(readFileSync(join(projectRoot, 'tools', 'demo.js'), 'utf8')).toContain(
      "const defaultStory = 'quick-start'"
    )
    expect(readme).toContain('(the story `quick-start`)')
  })
})
