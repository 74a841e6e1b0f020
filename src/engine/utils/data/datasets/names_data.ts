/** The first 500 names of makemore's names.txt (Andrej Karpathy, MIT licence: see LICENSES.md in this folder),
 * space-separated. Written by scripts/fixtures/data_fixtures.py --datasets. */
export const NAMES =
  "emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily elizabeth mila ella avery " +
  "sofia camila aria scarlett victoria madison luna grace chloe penelope layla riley zoey nora lily eleanor " +
  "hannah lillian addison aubrey ellie stella natalie zoe leah hazel violet aurora savannah audrey brooklyn bella " +
  "claire skylar lucy paisley everly anna caroline nova genesis emilia kennedy samantha maya willow kinsley naomi " +
  "aaliyah elena sarah ariana allison gabriella alice madelyn cora ruby eva serenity autumn adeline hailey gianna " +
  "valentina isla eliana quinn nevaeh ivy sadie piper lydia alexa josephine emery julia delilah arianna vivian " +
  "kaylee sophie brielle madeline peyton rylee clara hadley melanie mackenzie reagan adalynn liliana aubree jade katherine " +
  "isabelle natalia raelynn maria athena ximena arya leilani taylor faith rose kylie alexandra mary margaret lyla " +
  "ashley amaya eliza brianna bailey andrea khloe jasmine melody iris isabel norah annabelle valeria emerson adalyn " +
  "ryleigh eden emersyn anastasia kayla alyssa juliana charlie esther ariel cecilia valerie alina molly reese aliyah " +
  "lilly parker finley morgan sydney jordyn eloise trinity daisy kimberly lauren genevieve sara arabella harmony elise " +
  "remi teagan alexis london sloane laila lucia diana juliette sienna elliana londyn ayla callie gracie josie " +
  "amara jocelyn daniela everleigh mya rachel summer alana brooke alaina mckenzie catherine amy presley journee rosalie " +
  "ember brynlee rowan joanna paige rebecca ana sawyer mariah nicole brooklynn payton marley fiona georgia lila " +
  "harley adelyn alivia noelle gemma vanessa journey makayla angelina adaline catalina alayna julianna leila lola adriana " +
  "june juliet jayla river tessa lia dakota delaney selena blakely ada camille zara malia hope samara " +
  "vera mckenna briella izabella hayden raegan michelle angela ruth freya kamila vivienne aspen olive kendall elaina " +
  "thea kali destiny amiyah evangeline cali blake elsie juniper alexandria myla ariella kate mariana lilah charlee " +
  "daleyza nyla jane maggie zuri aniyah lucille leia melissa adelaide amina giselle lena camilla miriam millie " +
  "brynn gabrielle sage annie logan lilliana haven jessica kaia magnolia amira adelynn makenzie stephanie nina phoebe " +
  "arielle evie lyric alessandra gabriela paislee raelyn madilyn paris makenna kinley gracelyn talia maeve rylie kiara " +
  "evelynn brinley jacqueline laura gracelynn lexi ariah fatima jennifer kehlani alani ariyah luciana allie heidi maci " +
  "phoenix felicity joy kenzie veronica margot addilyn lana cassidy remington saylor ryan keira harlow miranda angel " +
  "amanda daniella royalty gwendolyn ophelia heaven jordan madeleine esmeralda kira miracle elle amari danielle daphne willa " +
  "haley gia kaitlyn oakley kailani winter alicia serena nadia aviana demi jada braelynn dylan ainsley alison " +
  "camryn avianna bianca skyler scarlet maddison nylah sarai regina dahlia nayeli raven helen adrianna averie skye " +
  "kelsey tatum kensley maliyah erin viviana jenna anaya carolina shelby sabrina mikayla annalise octavia lennon blair " +
  "carmen yaretzi kennedi mabel zariah kyla christina selah celeste eve mckinley milani frances jimena kylee leighton " +
  "katie aitana kayleigh sierra kathryn rosemary jolene alondra elisa helena charleigh hallie lainey avah jazlyn kamryn " +
  "mira cheyenne francesca antonella wren chelsea amber emory lorelei nia abby april emelia carter aylin cataleya " +
  "bethany marlee carly kaylani emely liana madelynn cadence matilda sylvia myra fernanda oaklyn elianna hattie dayana " +
  "kendra maisie malaysia kara";
